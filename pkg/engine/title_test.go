package engine

import (
	"context"
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestTitleAndEndSlides: a title on a colour before the pictures and an end slide on the
// last picture after them, timed and faded like any slide, their text drawn.
func TestTitleAndEndSlides(t *testing.T) {
	k := newKit(t)
	s := k.show("640x480", "draft")
	s.slide(k.picture("b.png", "color=c=blue:s=320x240"), 1, "contain", 1)
	s.in.Spec.Title = &simvid.TitleSlide{Text: "Summer: 100% \"fun\"", Duration: 1, Background: "#800000"}
	s.in.Spec.End = &simvid.TitleSlide{Text: "The end", Duration: 1, Style: &simvid.CaptionStyle{Position: "bottom"}}
	s.in.Spec.Transition.Duration = 0.2
	s.in.Spec.Normalize()
	if err := s.in.Spec.Validate([]string{"fade"}, simvid.Limits{}); err != nil {
		t.Fatal(err)
	}
	plan := s.plan()
	if len(plan.Slides) != 3 || plan.Frames != 90 {
		t.Fatalf("%d slides, %d frames", len(plan.Slides), plan.Frames)
	}
	s.run(context.Background())
	checkVideo(t, k, s.job.Output, plan, false)
	if c := k.rgb(s.job.Output, 5, 10, 10); !near(c, [3]int{128, 0, 0}, 30) {
		t.Errorf("title background %v", c)
	}
	frames := testutil.GrayFrames(t, s.job.Output, 640, 480)
	bright := func(n int64, y0, y1 int) int {
		c := 0
		for _, v := range frames[n][y0*640 : y1*640] {
			if v > 200 {
				c++
			}
		}
		return c
	}
	if n := bright(10, 180, 300); n < 200 {
		t.Errorf("title text: %d bright pixels in the middle", n)
	}
	if n := bright(85, 380, 460); n < 100 {
		t.Errorf("end text: %d bright pixels at the bottom", n)
	}
	if n := bright(45, 0, 480); n != 0 {
		t.Errorf("the picture slide has %d bright pixels", n)
	}
}
