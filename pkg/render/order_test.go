package render

import (
	"slices"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

// pictures is an input of 2 s slides, one per picture, each named and (when date is not "")
// taken at the RFC 3339 date; it returns the asset id of each, in the listed order.
func pictures(t *testing.T, order, chapters string, pics ...[2]string) (Input, []string) {
	t.Helper()
	in := input(repeat(2, len(pics)), "fade", 0.5)
	in.Spec.Order, in.Spec.Chapters = order, chapters
	ids := make([]string, len(pics))
	for i, p := range pics {
		ids[i] = in.Spec.Slides[i].Asset
		img := in.Images[ids[i]]
		img.Name = p[0]
		if p[1] != "" {
			tm, err := time.Parse(time.RFC3339, p[1])
			if err != nil {
				t.Fatal(err)
			}
			img.TakenAt = &tm
		}
		in.Images[ids[i]] = img
	}
	return in, ids
}

// played is the plan's slides as the names of their pictures and "[their text]" if any; a
// chapter is only "[its text]".
func played(t *testing.T, in Input) []string {
	t.Helper()
	p, err := NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, p)
	var out []string
	for _, sl := range p.Slides {
		s := in.Images[sl.Asset].Name // "" for a colour
		if c := p.Stills[sl.Still].Caption; c != nil {
			s += "[" + c.Text + "]"
		}
		out = append(out, s)
	}
	return out
}

// TestOrderTakenByInstant: EXIF dates in three (four) time zones sort by the instant, not the
// wall clock; pictures without a date keep their upload order after the dated ones; equal
// instants go by name.
func TestOrderTakenByInstant(t *testing.T) {
	t.Parallel()
	in, _ := pictures(t, simvid.OrderTaken, "",
		[2]string{"undated-1.jpg", ""},
		[2]string{"new-york.jpg", "2025-06-14T07:00:00-04:00"}, // 11:00Z
		[2]string{"paris.jpg", "2025-06-14T10:00:00+02:00"},    // 08:00Z
		[2]string{"undated-0.jpg", ""},
		[2]string{"london.jpg", "2025-06-14T09:30:00Z"},        // 09:30Z
		[2]string{"tokyo.jpg", "2025-06-14T16:00:00+09:00"},    // 07:00Z
		[2]string{"burst_10.jpg", "2025-06-14T12:00:00+02:00"}, // 10:00Z, same instant as
		[2]string{"burst_2.jpg", "2025-06-14T13:00:00+03:00"},  // this one: by name
		[2]string{"undated-2.jpg", ""},
	)
	listed := slices.Clone(in.Spec.Slides)
	want := []string{"tokyo.jpg", "paris.jpg", "london.jpg", "burst_2.jpg", "burst_10.jpg", "new-york.jpg",
		"undated-1.jpg", "undated-0.jpg", "undated-2.jpg"}
	if got := played(t, in); !slices.Equal(got, want) {
		t.Fatalf("played\n %v\nwant\n %v", got, want)
	}
	if !slices.EqualFunc(in.Spec.Slides, listed, func(a, b simvid.Slide) bool { return a.Asset == b.Asset }) {
		t.Error("the caller's spec was reordered")
	}
}

func TestOrderNameAndUpload(t *testing.T) {
	t.Parallel()
	pics := [][2]string{{"IMG_10.jpg", "2020-01-01T00:00:00Z"}, {"img_2.jpg", ""}, {"IMG_1.jpg", ""},
		{"IMG_002.jpg", ""}, {"Beach.png", ""}, {"IMG_2b.jpg", ""}}
	in, _ := pictures(t, simvid.OrderName, "", pics...)
	want := []string{"Beach.png", "IMG_1.jpg", "IMG_002.jpg", "img_2.jpg", "IMG_2b.jpg", "IMG_10.jpg"}
	if got := played(t, in); !slices.Equal(got, want) {
		t.Errorf("name: played %v, want %v", got, want)
	}
	for _, order := range []string{"", simvid.OrderUpload} {
		in, _ := pictures(t, order, "", pics...)
		want := []string{"IMG_10.jpg", "img_2.jpg", "IMG_1.jpg", "IMG_002.jpg", "Beach.png", "IMG_2b.jpg"}
		if got := played(t, in); !slices.Equal(got, want) {
			t.Errorf("%q: played %v, want %v", order, got, want)
		}
	}
}

// TestChaptersDay: a chapter title goes before the first picture of each day, named by the
// date in the photo's own offset (23:30 in New York on Saturday is Sunday in UTC), and the
// title text is the date the server wrote.
func TestChaptersDay(t *testing.T) {
	t.Parallel()
	in, _ := pictures(t, simvid.OrderTaken, simvid.ChaptersDay,
		[2]string{"mon.jpg", "2025-06-16T08:00:00+02:00"},
		[2]string{"undated.jpg", ""},
		[2]string{"sat-late.jpg", "2025-06-14T23:30:00-04:00"}, // 2025-06-15T03:30Z
		[2]string{"sun-1.jpg", "2025-06-15T09:00:00+02:00"},
		[2]string{"sun-2.jpg", "2025-06-15T10:00:00+02:00"},
	)
	want := []string{"[Saturday 14 June]", "sat-late.jpg", "[Sunday 15 June]", "sun-1.jpg", "sun-2.jpg",
		"[Monday 16 June]", "mon.jpg", "undated.jpg"}
	if got := played(t, in); !slices.Equal(got, want) {
		t.Fatalf("played\n %v\nwant\n %v", got, want)
	}
	p, err := NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	// Each chapter is a short slide of its own: 2 s = 60 frames at 30 fps, less nothing (the
	// timeline puts transitions inside slides).
	if got := p.Slides[0].Frames; got != int64(ChapterSeconds*30) {
		t.Errorf("chapter slide %d frames, want %d", got, int64(ChapterSeconds*30))
	}
	if len(in.Images) != 5 {
		t.Errorf("the caller's images map gained the chapter background: %d entries", len(in.Images))
	}

	// A show over two years names the year; one day has no chapters; the title slide shows on
	// the first picture, not on a chapter.
	in, _ = pictures(t, "", simvid.ChaptersDay,
		[2]string{"a.jpg", "2024-12-31T22:00:00+01:00"}, [2]string{"b.jpg", "2025-01-01T00:30:00+01:00"})
	in.Spec.Title = &simvid.TitleSlide{Text: "Our holiday"}
	want = []string{"a.jpg[Our holiday]", "[Tuesday 31 December 2024]", "a.jpg", "[Wednesday 1 January 2025]", "b.jpg"}
	if got := played(t, in); !slices.Equal(got, want) {
		t.Errorf("played %v, want %v", got, want)
	}
	in, _ = pictures(t, simvid.OrderTaken, simvid.ChaptersDay,
		[2]string{"a.jpg", "2025-06-14T10:00:00+02:00"}, [2]string{"b.jpg", "2025-06-14T09:00:00+02:00"}, [2]string{"c.jpg", ""})
	if got, want := played(t, in), []string{"b.jpg", "a.jpg", "c.jpg"}; !slices.Equal(got, want) {
		t.Errorf("one day: played %v, want %v", got, want)
	}
}

func TestNaturalCompare(t *testing.T) {
	t.Parallel()
	sorted := []string{"", "a", "A1", "a2", "a10", "a010b", "a10b", "b", "IMG_0009", "IMG_10", "IMG_10.jpg", "é"}
	for i := range sorted {
		for j := range sorted {
			if got, want := naturalCompare(sorted[i], sorted[j]), cmpInt(i, j); got != want {
				t.Errorf("naturalCompare(%q, %q) = %d, want %d", sorted[i], sorted[j], got, want)
			}
		}
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestOrderTakenWithClip: a clip takes its place by the date it was taken (its container's
// creation time) among the pictures', and starts a chapter like a picture.
func TestOrderTakenWithClip(t *testing.T) {
	t.Parallel()
	in, ids := pictures(t, simvid.OrderTaken, simvid.ChaptersDay,
		[2]string{"late.jpg", "2025-06-15T12:00:00Z"},
		[2]string{"clip.mp4", ""},
		[2]string{"early.jpg", "2025-06-14T08:00:00Z"},
	)
	taken := time.Date(2025, 6, 14, 20, 0, 0, 0, time.UTC)
	delete(in.Images, ids[1])
	clip := withClip(&in, 1, Clip{SHA256: "clipsha", Format: "mp4", Width: 1920, Height: 1080, CodedW: 1920, CodedH: 1080,
		Duration: 4, FPS: 30, Name: "clip.mp4", TakenAt: &taken}, simvid.Slide{})
	p, err := NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, sl := range p.Slides {
		switch {
		case sl.Asset == ids[0]:
			got = append(got, "late")
		case sl.Asset == clip:
			got = append(got, "clip")
		case sl.Asset == ids[2]:
			got = append(got, "early")
		default:
			got = append(got, "chapter")
		}
	}
	if want := []string{"chapter", "early", "clip", "chapter", "late"}; !slices.Equal(got, want) {
		t.Fatalf("played %v, want %v", got, want)
	}
}
