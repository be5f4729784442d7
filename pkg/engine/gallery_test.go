package engine

import (
	"context"
	"testing"
)

// TestEveryProbedTransition renders one short slide per transition this machine's ffmpeg
// offers, each slide naming its own transition out: every name renders, and the video keeps
// its exact length.
func TestEveryProbedTransition(t *testing.T) {
	k := newKit(t)
	caps, err := k.ff.Capabilities(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(caps.Transitions) < 20 {
		t.Fatalf("only %d transitions probed", len(caps.Transitions))
	}
	a := k.picture("a.png", "color=c=red:s=160x120")
	b := k.picture("b.png", "color=c=blue:s=160x120")
	s := k.show("640x480", "draft")
	names := append(caps.Transitions, "random")
	for i, name := range names {
		s.slide([]string{a, b}[i%2], 0.5, "contain", 1)
		s.in.Spec.Slides[i].Transition = name
	}
	s.slide(a, 0.5, "contain", 1)
	s.in.Spec.Transition.Duration = 0.2
	plan := s.plan()
	if len(plan.Warnings) != 0 {
		t.Errorf("warnings: %v", plan.Warnings)
	}
	s.run(context.Background())
	checkVideo(t, k, s.job.Output, plan, false)
}

// TestShapesAndRates renders the presets' shapes at the other frame rates.
func TestShapesAndRates(t *testing.T) {
	k := newKit(t)
	pic := k.picture("p.png", "testsrc=s=320x240")
	for _, c := range []struct {
		aspect string
		fps    int
		w, h   int
	}{{"4:5", 60, 480, 600}, {"9:16", 24, 480, 854}, {"1:1", 25, 480, 480}} {
		s := k.show("", "draft")
		s.name = c.aspect[:1] + "x" + c.aspect[2:]
		s.in.Spec.Output.Aspect, s.in.Spec.Output.Lines, s.in.Spec.Output.FPS = c.aspect, 480, c.fps
		s.slide(pic, 0.5, "cover", 1)
		s.slide(pic, 0.5, "blur", 1)
		s.in.Spec.Slides[1].Motion = "zoom-out"
		plan := s.plan()
		// Two half-second slides last a second at every rate: at 25 fps the cut falls
		// between frames 12 and 13, yet the video has 25 frames, not 2×13.
		if plan.W != c.w || plan.H != c.h || plan.Frames != int64(c.fps) {
			t.Fatalf("%s: %dx%d, %d frames", c.aspect, plan.W, plan.H, plan.Frames)
		}
		s.run(context.Background())
		checkVideo(t, k, s.job.Output, plan, false)
	}
}
