package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestCaptionsReachFFmpegOnlyThroughFiles renders captions full of what filter syntax and
// drawtext would read as code: the render works, the caption area differs from the same
// slide without a caption, and the text sits in a file named by its hash.
func TestCaptionsReachFFmpegOnlyThroughFiles(t *testing.T) {
	k := newKit(t)
	pic := k.picture("gray.png", "color=c=0x406080:s=320x240")
	texts := []string{
		`It's "quoted": a\b\\c, 100% ; [x] %{localtime} %{eif:1:d}`,
		"two\nlines ' \\ :",
		"Emoji ☺ ★ and عربي שלום",
	}
	s := k.show("640x480", "draft")
	s.in.Lossless = true
	s.slide(pic, 0.5, "contain", 1) // no caption
	for i, txt := range texts {
		s.slide(pic, 0.5, "contain", 1)
		s.in.Spec.Slides[i+1].Caption = txt
	}
	// A caption on top, in a box, over a moving slide (drawn per frame, not zoomed).
	s.slide(pic, 0.5, "contain", 1)
	last := len(s.in.Spec.Slides) - 1
	s.in.Spec.Slides[last].Caption = texts[0]
	s.in.Spec.Slides[last].Motion = "zoom-in"
	s.in.Spec.Slides[last].CaptionStyle = &simvid.CaptionStyle{Position: "top", Backdrop: "box", Color: "#ffff00"}
	s.in.Spec.Transition.Name = "none"
	plan := s.plan()
	s.run(context.Background())
	checkVideo(t, k, s.job.Output, plan, false)

	mid := func(i int) int64 { return plan.Slides[i].Start + plan.Slides[i].Frames/2 }
	frames := testutil.GrayFrames(t, s.job.Output, 640, 480)
	// changed counts the pixels of rows y0..y1 that differ from the uncaptioned slide.
	changed := func(i, y0, y1 int) int {
		n := 0
		for y := y0; y < y1; y++ {
			for x := 0; x < 640; x++ {
				if d := int(frames[mid(i)][y*640+x]) - int(frames[mid(0)][y*640+x]); d > 40 || d < -40 {
					n++
				}
			}
		}
		return n
	}
	for i := 1; i <= len(texts); i++ {
		if bottom, top := changed(i, 300, 480), changed(i, 0, 180); bottom < 300 || top != 0 {
			t.Errorf("slide %d: %d pixels changed at the bottom, %d at the top", i+1, bottom, top)
		}
	}
	// The boxed caption sits at the top of the moving slide.
	if top := changed(last, 0, 120); top < 1000 {
		t.Errorf("top caption: %d pixels changed", top)
	}
	// The text files are named by hashes; no user text is in any argument.
	ents, _ := os.ReadDir(filepath.Join(k.dir, "cache", "captions"))
	if len(ents) < len(texts) {
		t.Fatalf("%d caption files", len(ents))
	}
	for _, e := range ents {
		if len(strings.TrimSuffix(e.Name(), ".txt")) != 64 {
			t.Errorf("caption file %s", e.Name())
		}
	}
	found := false
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(k.dir, "cache", "captions", e.Name()))
		found = found || strings.Contains(string(b), "%{localtime}")
	}
	if !found {
		t.Error("no caption file holds the text as written")
	}
}

// TestCoverFocus crops a wide picture (red left third, green middle, blue right third) to
// 4:3 around different focus points.
func TestCoverFocus(t *testing.T) {
	k := newKit(t)
	pic := k.picture("wide.png", "color=c=red:s=200x240[a];color=c=lime:s=200x240[b];color=c=blue:s=200x240[c];[a][b][c]hstack=3")
	s := k.show("640x480", "draft")
	for _, fx := range []float64{0, 0.5, 1} {
		s.slide(pic, 1, "cover", 1)
		s.in.Spec.Slides[len(s.in.Spec.Slides)-1].Focus = []float64{fx, 0.5}
	}
	s.in.Spec.Transition.Name = "none"
	plan := s.plan()
	s.run(context.Background())
	checkVideo(t, k, s.job.Output, plan, false)
	// 600x240 scaled to cover 640x480 is 1200x480 (thirds of 400): the 640 shown start at 0,
	// 280 or 560.
	green := [3]int{0, 255, 0}
	want := [][2][3]int{{red, green}, {red, blue}, {green, blue}}
	for i := range 3 {
		n := plan.Slides[i].Start + 10
		l, r := k.rgb(s.job.Output, n, 20, 240), k.rgb(s.job.Output, n, 620, 240)
		if !near(l, want[i][0], 50) || !near(r, want[i][1], 50) {
			t.Errorf("focus %d: left %v right %v", i, l, r)
		}
	}
	// The default focus is the centre.
	if c := k.rgb(s.job.Output, plan.Slides[1].Start, 320, 240); !near(c, green, 50) {
		t.Errorf("centre %v", c)
	}
}
