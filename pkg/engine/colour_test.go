package engine

import (
	"context"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// rgb709 is the colour at x,y of frame n of a video decoded as BT.709 limited range, what
// its tags say and what a player does with it (the test checks the tags apart).
func (k *kit) rgb709(path string, n int64, x, y int) [3]int {
	k.t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-vf",
		"select=eq(n\\,"+strconv.FormatInt(n, 10)+"),crop=2:2:"+strconv.Itoa(x&^1)+":"+strconv.Itoa(y&^1)+
			",scale=in_color_matrix=bt709:in_range=tv,format=rgb24",
		"-frames:v", "1", "-f", "rawvideo", "-").Output()
	if err != nil || len(out) < 3 {
		k.t.Fatalf("sampling %s frame %d: %v (%d bytes)", path, n, err, len(out))
	}
	return [3]int{int(out[0]), int(out[1]), int(out[2])}
}

// frame709 is frame n of a video as RGB24, decoded as BT.709 limited range.
func (k *kit) frame709(path string, n int64) []byte {
	k.t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-vf",
		"select=eq(n\\,"+strconv.FormatInt(n, 10)+"),scale=in_color_matrix=bt709:in_range=tv,format=rgb24",
		"-frames:v", "1", "-f", "rawvideo", "-").Output()
	if err != nil {
		k.t.Fatalf("decoding %s frame %d: %v", path, n, err)
	}
	return out
}

// colourTags checks that a video's stream says BT.709, limited range.
func (k *kit) colourTags(path string) {
	k.t.Helper()
	pr, err := k.ff.ProbeFile(context.Background(), path, 0, false)
	if err != nil {
		k.t.Fatal(err)
	}
	v := pr.Video()
	if v == nil || v.ColorSpace != "bt709" || v.ColorPrimaries != "bt709" || v.ColorTransfer != "bt709" {
		k.t.Errorf("%s: colour tags %+v, want bt709", path, v)
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=color_range",
		"-of", "csv=p=0", path).Output()
	if err != nil || string(out) != "tv\n" {
		k.t.Errorf("%s: color_range %q (%v), want tv", path, out, err)
	}
}

// jpegAt is the colour at x,y of a JPEG as JFIF defines it (Go's decoder: BT.601, full range).
func jpegAt(t *testing.T, path string, x, y int) [3]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	img, err := jpeg.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	r, g, b, _ := img.At(x, y).RGBA()
	return [3]int{int(r >> 8), int(g >> 8), int(b >> 8)}
}

// TestColourBT709: every kind of segment (a title on a colour, holds and a fade made in the
// bitstream, a clip) is BT.709 limited range and tagged so, and they join by a copy.
// Saturated colours (a red and a blue picture, a green title, a blue fill, a clip's lime)
// come out within a few levels when decoded as BT.709: BT.601's YUV read as BT.709 is 15 to
// 40 levels off on them.
func TestColourBT709(t *testing.T) {
	k := newKit(t)
	red := k.picture("red.png", "color=c=0xff0000:s=64x64")
	blue := k.picture("blue.png", "color=c=0x0000ff:s=64x64")
	s := k.show("854x480", "standard") // veryfast: holds repeated and fades dissolved in the bitstream
	s.in.Spec.Title = &simvid.TitleSlide{Text: "x", Duration: 1, Background: "#00ff00",
		Style: &simvid.CaptionStyle{Position: "top"}}
	s.in.Spec.Defaults.Background = "#0000ff"
	s.slide(red, 1, "contain", 1)
	s.slide(blue, 1, "contain", 1)
	// A clip (untagged SD: BT.601), contained on the blue, which BT.601 cannot draw on YUV
	// frames (fitted in RGB), and covering (fitted in YUV).
	clip, info := k.colourClip("c.mp4", false), render.Clip{Width: 320, Height: 180, CodedW: 320, CodedH: 180, Duration: 2}
	s.clipSlide(clip, info, simvid.Slide{In: 0.5, Out: 1})
	s.clipSlide(clip, info, simvid.Slide{In: 1, Out: 1.5, Fit: "cover"})
	// A JPEG is full-range BT.601 YUV: a dark grey read as limited range comes out 8 levels
	// darker, a colour read as BT.709 off.
	jpg := filepath.Join(k.dir, "g.jpg")
	k.ffmpeg("-v", "error", "-f", "lavfi", "-i", "color=c=0x404040:s=128x64,drawbox=x=64:w=64:h=64:color=0xc03030:t=fill",
		"-frames:v", "1", "-q:v", "2", jpg)
	s.slide(jpg, 1, "cover", 1)
	// A moving slide (its frames drawn in Go, fed raw to ffmpeg) with a green caption drawn
	// on its YUV frames.
	s.slide(k.picture("black.png", "color=c=black:s=64x64"), 1, "contain", 1)
	moving := &s.in.Spec.Slides[len(s.in.Spec.Slides)-1]
	moving.Motion, moving.Caption = "zoom-in", "HHHH"
	moving.CaptionStyle = &simvid.CaptionStyle{Position: "center", Size: 20, Color: "#20c020", Backdrop: "none"}
	s.in.Spec.Transition = simvid.TransitionSpec{Name: "fade", Duration: 0.2}
	plan := s.plan()
	makings, kinds := map[render.Making]bool{}, map[string]bool{}
	for _, sg := range plan.Segments {
		makings[sg.Making(plan.Encoder)], kinds[sg.Kind] = true, true
	}
	if !makings[render.Repeated] || !makings[render.Dissolved] || !kinds[render.KindClip] || !kinds[render.KindMotion] {
		t.Fatalf("the plan lacks a repeated hold, a dissolved fade, a clip or motion: %v %v", makings, kinds)
	}
	s.run(context.Background())
	out := s.job.Output
	checkVideo(t, k, out, plan, false)
	k.colourTags(out)
	k.joinable(plan)
	mid := func(i int) int64 { return plan.Slides[i].Start + plan.Slides[i].Frames/2 }
	for _, c := range []struct {
		what  string
		frame int64
		x, y  int
		want  [3]int
	}{
		{"the title's green", mid(0), 427, 400, [3]int{0, 255, 0}},
		{"the red picture", mid(1), 427, 240, [3]int{255, 0, 0}},
		{"the fill beside it", mid(1), 40, 240, [3]int{0, 0, 255}},
		{"the blue picture", mid(2), 427, 240, [3]int{0, 0, 255}},
		{"the clip's lime", mid(3), 427, 240, [3]int{0, 255, 0}},
		{"the covering clip's blue", mid(4), 427, 240, [3]int{0, 0, 255}},
		{"the JPEG's grey", mid(5), 200, 240, jpegAt(t, jpg, 16, 32)},
		{"the JPEG's colour", mid(5), 654, 240, jpegAt(t, jpg, 112, 32)},
	} {
		got := k.rgb709(out, c.frame, c.x, c.y)
		t.Logf("%s: %v, want %v", c.what, got, c.want)
		if !near(got, c.want, 6) {
			t.Errorf("%s (frame %d): %v, want %v", c.what, c.frame, got, c.want)
		}
	}
	// The caption's green, decoded as BT.709 (drawn with BT.601 it comes out (20, 167, 28)).
	green := 0
	fr := k.frame709(out, mid(6))
	for i := 0; i+2 < len(fr); i += 3 {
		if near([3]int{int(fr[i]), int(fr[i+1]), int(fr[i+2])}, [3]int{32, 192, 32}, 6) {
			green++
		}
	}
	t.Logf("%d pixels of the moving slide's caption are its green", green)
	if green < 500 {
		t.Errorf("%d pixels of the moving slide's caption are its green", green)
	}
	// The poster, a JPEG made from the first still, has the title's colour.
	if got := k.rgb(s.job.Poster, 0, 427, 400); !near(got, [3]int{0, 255, 0}, 6) {
		t.Errorf("the poster's green: %v", got)
	}
}
