package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/render"
)

// TestEveryProbedTransition: every transition this machine's ffmpeg offers is planned
// without a warning and its graph (render.TransitionFilter, the one the segments run) gives
// exactly its frames in ffmpeg; a show whose slides each name their own transition out, one
// of each way a transition is made (fade, xfade by name, random), renders to its exact length.
// (Rendering every name, ~60 segments at 640x480, cost a minute of CPU for what one ffmpeg
// run of the graphs on small frames shows: the names differ only in xfade's argument.)
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
	gallery := func(names []string) *slideshow {
		s := k.show("640x480", "draft")
		s.name = "gallery" + strconv.Itoa(len(names))
		for i, name := range names {
			s.slide([]string{a, b}[i%2], 0.5, "contain", 1)
			s.in.Spec.Slides[i].Transition = name
		}
		s.slide(a, 0.5, "contain", 1)
		s.in.Spec.Transition.Duration = 0.2
		return s
	}

	// Every name: planned as asked, no warning.
	all := append(slices.Clone(caps.Transitions), "random")
	plan := gallery(all).plan()
	if len(plan.Warnings) != 0 {
		t.Errorf("warnings: %v", plan.Warnings)
	}
	var planned []string
	for _, sg := range plan.Segments {
		if sg.Kind == render.KindTransition {
			planned = append(planned, sg.Transition)
		}
	}
	if len(planned) != len(all) || !slices.Equal(planned[:len(all)-1], caps.Transitions) ||
		!slices.Contains(caps.Transitions, planned[len(all)-1]) {
		t.Fatalf("transitions planned %v, want %v and a probed one for random", planned, all)
	}

	// Every name's graph in one ffmpeg run, 64x48, 6 frames each: each output has 6 frames.
	const n, fw, fh = 6, 64, 48
	var graph strings.Builder
	fmt.Fprintf(&graph, "[0:v]format=yuv420p,split=%d", len(caps.Transitions))
	for i := range caps.Transitions {
		fmt.Fprintf(&graph, "[a%d]", i)
	}
	fmt.Fprintf(&graph, ";[1:v]format=yuv420p,split=%d", len(caps.Transitions))
	for i := range caps.Transitions {
		fmt.Fprintf(&graph, "[b%d]", i)
	}
	args := []string{"-v", "error", "-f", "lavfi", "-i", fmt.Sprintf("color=c=red:s=%dx%d:r=30:d=0.2", fw, fh),
		"-f", "lavfi", "-i", fmt.Sprintf("color=c=blue:s=%dx%d:r=30:d=0.2", fw, fh)}
	outs := make([]string, len(caps.Transitions))
	for i, name := range caps.Transitions {
		graph.WriteString(";" + render.TransitionFilter(name, n, 30, "a"+strconv.Itoa(i), "b"+strconv.Itoa(i), "o"+strconv.Itoa(i)))
		outs[i] = filepath.Join(k.dir, "t"+strconv.Itoa(i)+".yuv")
		args = append(args, "-map", "[o"+strconv.Itoa(i)+"]", "-f", "rawvideo", outs[i])
	}
	k.ffmpeg(append([]string{"-filter_complex", graph.String()}, args...)...)
	for i, name := range caps.Transitions {
		if st, err := os.Stat(outs[i]); err != nil || st.Size() != n*fw*fh*3/2 {
			t.Errorf("%s: %v (%v), want %d frames of %dx%d", name, st, err, n, fw, fh)
		}
	}

	// A real render of each way a transition is made, and xfade at both ends of the list.
	few := []string{"fade", caps.Transitions[0], caps.Transitions[len(caps.Transitions)/2], caps.Transitions[len(caps.Transitions)-1], "random"}
	s := gallery(few)
	plan = s.plan()
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
