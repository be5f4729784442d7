package render

import (
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
)

// TestClipRunStills: a clip slide's stills are frames of its segment's run (its first, and
// the one after its last), which the segment's ffmpeg writes beside the segment from the
// same graph; one cached already is left out; a still made alone runs the same graph to its
// frame with no encoder; the still's key follows the run; a slide with no run of its own
// keeps stills taken at their times.
func TestClipRunStills(t *testing.T) {
	t.Parallel()
	in := input([]float64{2, 2, 2}, "fade", 0.5)
	withClip(&in, 1, Clip{}, simvid.Slide{In: 1, Out: 3, Speed: 2}) // 1 s: 8 frames to the fade in, 7 to the fade out
	p := mustPlan(t, in)
	sl := p.Slides[1]
	seg := clipSegments(p)[0]
	first, last := p.Stills[sl.Still], p.Stills[sl.OutStill]
	want := []RunStill{{first.Key, 0}, {last.Key, 30 - 8 - 7}}
	if len(seg.Clip.Stills) != 2 || seg.Clip.Stills[0] != want[0] || seg.Clip.Stills[1] != want[1] {
		t.Fatalf("the run's stills %+v, want %+v", seg.Clip.Stills, want)
	}
	runs, stills := p.ClipRuns()
	if len(runs) != 1 || runs[0].Key != seg.Key || len(stills) != 2 || !stills[first.Key] || !stills[last.Key] {
		t.Errorf("ClipRuns: %d runs, stills %v", len(runs), stills)
	}

	a, err := ClipSegmentArgs(seg, "/c/clip.mp4", "/s/seg.mp4", p.Encoder, Files{}, "/s/first.y4m", "/s/last.y4m")
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Join(a, " ")
	for _, w := range []string{
		"tpad=stop_mode=clone:stop=-1,split=3[v][r0][r1];[r0]trim=start_frame=0:end_frame=1[s0];[r1]trim=start_frame=15:end_frame=16[s1] -map [v] -frames:v 15 -c:v libx264",
		"-f mp4 file:/s/seg.mp4 -map [s0] -frames:v 1 -an -f yuv4mpegpipe file:/s/first.y4m -map [s1] -frames:v 1 -an -f yuv4mpegpipe file:/s/last.y4m",
	} {
		if !strings.Contains(args, w) {
			t.Errorf("args lack %q:\n%s", w, args)
		}
	}
	if strings.Count(args, " -i ") != 1 {
		t.Errorf("more than one input: %s", args)
	}
	a, _ = ClipSegmentArgs(seg, "/c/clip.mp4", "/s/seg.mp4", p.Encoder, Files{}, "", "/s/last.y4m")
	if args := strings.Join(a, " "); strings.Contains(args, "first.y4m") || !strings.Contains(args, "split=2[v][r0];[r0]trim=start_frame=15:end_frame=16[s0]") {
		t.Errorf("the cached first still is written again, or the last is not:\n%s", args)
	}
	plain, _ := ClipSegmentArgs(seg, "/c/clip.mp4", "/s/seg.mp4", p.Encoder, Files{})
	if args := strings.Join(plain, " "); strings.Contains(args, "split") || strings.Contains(args, "y4m") {
		t.Errorf("no stills asked for, yet: %s", args)
	}

	// Alone: the run's input and graph up to frame 15, no encoder.
	a, err = StillArgsWith(last, "/c/clip.mp4", "/s/last.y4m", Files{})
	if err != nil {
		t.Fatal(err)
	}
	alone := strings.Join(a, " ")
	for _, w := range []string{"-ss 1.533333 -t 1.466667 -noautorotate", "tpad=stop_mode=clone:stop=-1,trim=start_frame=15:end_frame=16[s] -map [s] -frames:v 1 -an -f yuv4mpegpipe file:/s/last.y4m"} {
		if !strings.Contains(alone, w) {
			t.Errorf("the still alone lacks %q:\n%s", w, alone)
		}
	}
	if strings.Contains(alone, "libx264") || !strings.Contains(alone, segGraph(plain)) {
		t.Errorf("the still alone is not the run's graph without the encoder:\n%s\n%s", alone, strings.Join(plain, " "))
	}

	// The run decides the pixels: another frame rate, another still, though At is the same.
	in25 := input([]float64{2, 2, 2}, "fade", 0.5)
	withClip(&in25, 1, Clip{}, simvid.Slide{In: 1, Out: 3, Speed: 2})
	in25.Spec.Output.FPS = 25
	if p25 := mustPlan(t, in25); p25.Stills[p25.Slides[1].Still].Key == first.Key {
		t.Error("the first still's key did not change with the run's frame rate")
	}

	// A part shorter than its two transitions has no run: its stills are taken at their times.
	in = input([]float64{2, 2, 2}, "fade", 1)
	withClip(&in, 1, Clip{}, simvid.Slide{In: 1, Duration: 1})
	p = mustPlan(t, in)
	if len(clipSegments(p)) != 0 {
		t.Fatalf("a clip slide all transition has a segment: %+v", clipSegments(p))
	}
	if st := p.Stills[p.Slides[1].OutStill]; st.Clip == nil || st.Clip.Run != nil || !st.Clip.Last {
		t.Errorf("the still out of a clip slide with no run: %+v", st.Clip)
	}
	a, _ = StillArgsWith(p.Stills[p.Slides[1].OutStill], "/c/clip.mp4", "/s/x.y4m", Files{})
	if args := strings.Join(a, " "); !strings.Contains(args, "reverse") {
		t.Errorf("the last frame at its time is not taken from a reversed run: %s", args)
	}
}

// segGraph is a clip segment's graph up to its tpad: what a still made alone shares with it.
func segGraph(a []string) string {
	for i, s := range a {
		if s == "-filter_complex" {
			return strings.TrimSuffix(a[i+1], "[v]")
		}
	}
	return "none"
}

// TestClipRunsOnce: a run shown twice (the same clip part on two slides) is made once, with
// the stills of both slides, and the plan's segments are left as they were.
func TestClipRunsOnce(t *testing.T) {
	t.Parallel()
	p := &Plan{Segments: []Segment{
		{Key: "a", Kind: KindClip, Clip: &ClipRun{Stills: []RunStill{{"first", 0}}}},
		{Key: "h", Kind: KindHold},
		{Key: "a", Kind: KindClip, Clip: &ClipRun{Stills: []RunStill{{"first", 0}, {"last", 15}}}},
		{Key: "b", Kind: KindClip, Clip: &ClipRun{}},
	}}
	runs, stills := p.ClipRuns()
	if len(runs) != 1 || runs[0].Key != "a" || len(runs[0].Clip.Stills) != 2 || runs[0].Clip.Stills[1] != (RunStill{"last", 15}) {
		t.Fatalf("runs %+v", runs)
	}
	if len(stills) != 2 || !stills["first"] || !stills["last"] {
		t.Errorf("stills %v", stills)
	}
	if len(p.Segments[0].Clip.Stills) != 1 {
		t.Errorf("the plan's segment was changed: %+v", p.Segments[0].Clip.Stills)
	}
}
