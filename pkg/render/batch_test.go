package render

import (
	"slices"
	"strings"
	"testing"
)

// TestBatchArgs: a hold's first frame and a fade's end frames merge into one argv whose
// inputs, graphs and outputs are theirs, the fade's graph reading inputs 1 and 2 and every
// label its own; argvs of another shape are refused.
func TestBatchArgs(t *testing.T) {
	enc, _ := EncoderFor("standard", false)
	hold := Segment{Kind: KindHold, Frames: 30, FPS: 30}
	fade := Segment{Kind: KindTransition, Transition: "fade", Frames: 15, FPS: 30}
	first := FirstFrameArgs(hold, []string{"/c/a.y4m"}, "/t/h.h264", enc)
	ends := EndFramesArgs(fade, []string{"/c/a.y4m", "/c/b.y4m"}, "/t/f.h264", enc)
	got, err := BatchArgs([][]string{first, ends})
	if err != nil {
		t.Fatal(err)
	}
	a := strings.Join(got, " ")
	for _, want := range []string{
		"-filter_complex_threads 1 -r 30 -f yuv4mpegpipe -i file:/c/a.y4m -r 30 -f yuv4mpegpipe -i file:/c/a.y4m -r 30 -f yuv4mpegpipe -i file:/c/b.y4m -filter_complex [0:v]",
		"[v_r0] -filter_complex [1:v]" + ChromaTrip + ",split[a0_r1][a1_r1];[2:v]" + ChromaTrip + "[b_r1]",
		"[a0_r1][c_r1]concat=n=2:v=1:a=0[v_r1] -map [v_r0] -frames:v 1 ",
		"-f h264 file:/t/h.h264 -map [v_r1] -frames:v 2 ",
	} {
		if !strings.Contains(a, want) {
			t.Errorf("batch argv lacks %q:\n%s", want, a)
		}
	}
	if n := strings.Count(a, "-c:v libx264"); n != 2 {
		t.Errorf("%d encoders, want 2", n)
	}
	// Each output keeps its options as they were.
	if !slices.Equal(got[len(got)-len(ends)+indexOf(ends, "-frames:v"):], ends[indexOf(ends, "-frames:v"):]) {
		t.Errorf("the fade's output options changed:\n%q\n%q", got, ends)
	}
	for _, bad := range [][]string{
		{"-f", "rawvideo", "-i", "pipe:3", "-filter_complex", "[0:v]null[v]", "-map", "[v]", "file:/o"},
		{"-i", "file:/a", "-map", "0:v", "file:/o"},
		{"-filter_complex", "[0:v]null[v]", "-i", "file:/a", "-map", "[v]", "file:/o"},
	} {
		if _, err := BatchArgs([][]string{first, bad}); err == nil {
			t.Errorf("BatchArgs took %q", bad)
		}
	}
}

func indexOf(a []string, s string) int { return slices.Index(a, s) }
