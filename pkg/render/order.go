package render

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/simvid/simvid/pkg/simvid"
)

// ChapterSeconds is how long a chapter title ("Saturday 14 June") stays on screen.
const ChapterSeconds = 2.0

// ChapterBackground is the colour behind a chapter title.
const ChapterBackground = "#000000"

// arrange puts the slides in the spec's order and inserts its chapter titles. It runs at plan
// time, so the project's spec keeps the slides as the user listed them and a picture added
// later finds its place by itself.
//
//   - "taken": by the instant each was taken (10:00+02:00 before 09:30+00:00), ties by name;
//     the slides whose picture has no date follow, in the order listed.
//   - "name": by the picture's original file name in natural order (IMG_2 before IMG_10).
//   - "upload" (or ""): as listed.
//
// Chapters "day" puts a title slide before the first picture of each calendar day (in the
// photo's own offset) when the pictures were taken on more than one day: before the first
// picture too, so that every day is named. Undated pictures neither start nor end a chapter.
func arrange(in *Input) {
	s := &in.Spec
	if (s.Order == "" || s.Order == simvid.OrderUpload) && s.Chapters == "" {
		return
	}
	slides := SortSlides(s.Slides, s.Order, in.ordering()) // the caller's spec keeps its order
	if s.Chapters == simvid.ChaptersDay {
		slides = in.chapters(slides)
	}
	s.Slides = slides
}

// SortSlides returns the slides in order (see arrange), by the name and date taken of their
// pictures in images; slides stays as it was. The page's "Sort by date taken" uses it too.
func SortSlides(slides []simvid.Slide, order string, images map[string]Image) []simvid.Slide {
	slides = slices.Clone(slides)
	name := func(sl simvid.Slide) string { return images[sl.Asset].Name }
	switch order {
	case simvid.OrderName:
		slices.SortStableFunc(slides, func(a, b simvid.Slide) int { return naturalCompare(name(a), name(b)) })
	case simvid.OrderTaken:
		slices.SortStableFunc(slides, func(a, b simvid.Slide) int {
			ta, tb := images[a.Asset].TakenAt, images[b.Asset].TakenAt
			switch {
			case ta == nil && tb == nil:
				return 0
			case ta == nil:
				return 1
			case tb == nil:
				return -1
			}
			if c := ta.Compare(*tb); c != 0 {
				return c
			}
			return naturalCompare(name(a), name(b))
		})
	}
	return slides
}

// chapters inserts a chapter title before the first picture of each day.
func (in *Input) chapters(slides []simvid.Slide) []simvid.Slide {
	days, years := map[string]bool{}, map[int]bool{}
	for _, sl := range slides {
		if t := in.slideTaken(sl.Asset); t != nil {
			days[t.Format(time.DateOnly)] = true
			years[t.Year()] = true
		}
	}
	if len(days) < 2 {
		return slides
	}
	layout := "Monday 2 January"
	if len(years) > 1 {
		layout += " 2006"
	}
	bg := colorAsset + ChapterBackground
	in.Images = maps.Clone(in.Images) // the caller's map stays as it was
	in.Images[bg] = Image{SHA256: bg}
	style := (&simvid.TitleSlide{}).TitleStyle()
	out := make([]simvid.Slide, 0, len(slides)+len(days))
	last := ""
	for _, sl := range slides {
		if t := in.slideTaken(sl.Asset); t != nil {
			if day := t.Format(time.DateOnly); day != last {
				last = day
				// The text is made here from a date, never taken from the user; it reaches
				// ffmpeg through a text file like every caption (caption.go).
				out = append(out, simvid.Slide{Asset: bg, Duration: ChapterSeconds, Caption: ChapterTitle(*t, layout),
					CaptionStyle: &style, Motion: "none"})
			}
		}
		out = append(out, sl)
	}
	return out
}

// ChapterTitle is a chapter's text: the day the picture was taken, in its own offset, in
// English ("Saturday 14 June"; layout adds the year when a show spans several).
func ChapterTitle(t time.Time, layout string) string {
	return t.Format(layout)
}

// slideTaken is when a slide's picture or clip was taken.
func (in *Input) slideTaken(asset string) *time.Time {
	if c, ok := in.Clips[asset]; ok {
		return c.TakenAt
	}
	return in.Images[asset].TakenAt
}

// ordering is what sorting needs of every slide's asset, pictures and clips alike.
func (in *Input) ordering() map[string]Image {
	if len(in.Clips) == 0 {
		return in.Images
	}
	m := maps.Clone(in.Images)
	for id, c := range in.Clips {
		m[id] = Image{Name: c.Name, TakenAt: c.TakenAt}
	}
	return m
}

// naturalCompare orders names as people read them: runs of digits by their value (IMG_2
// before IMG_10), letters without regard to case; names equal that way by their bytes.
func naturalCompare(a, b string) int {
	x, y := a, b
	for x != "" && y != "" {
		if isDigit(x[0]) && isDigit(y[0]) {
			nx, ny := digitRun(x), digitRun(y)
			vx, vy := strings.TrimLeft(x[:nx], "0"), strings.TrimLeft(y[:ny], "0")
			if c := cmp.Compare(len(vx), len(vy)); c != 0 {
				return c
			}
			if c := strings.Compare(vx, vy); c != 0 {
				return c
			}
			x, y = x[nx:], y[ny:]
			continue
		}
		rx, sx := utf8.DecodeRuneInString(x)
		ry, sy := utf8.DecodeRuneInString(y)
		if c := cmp.Compare(unicode.ToLower(rx), unicode.ToLower(ry)); c != 0 {
			return c
		}
		x, y = x[sx:], y[sy:]
	}
	if c := cmp.Compare(len(x), len(y)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digitRun(s string) int {
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	return n
}
