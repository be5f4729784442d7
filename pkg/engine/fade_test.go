package engine

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/simvid/simvid/pkg/ffargs"
)

// TestFadeFollowsXfade: a fade is blended in 4:2:0 rather than by xfade, yet every frame stays
// within rounding of xfade's fade (a single pass as reference.sh builds it), and the joins
// with the holds show no step of their own: the fade's first frame is the hold's last, as
// xfade's is, and its last frame is as far from the next hold as its frames are apart.
func TestFadeFollowsXfade(t *testing.T) {
	k := newKit(t)
	pics := []string{k.picture("a.png", "testsrc=s=320x240"), k.picture("b.png", "mandelbrot=s=320x200")}
	s := k.show("640x480", "standard")
	s.in.Lossless = true
	for _, p := range pics {
		s.slide(p, 1, "contain", 1)
	}
	plan := s.plan()
	s.run(context.Background())
	tr := plan.Segments[1]
	if len(plan.Segments) != 3 || tr.Transition != "fade" || tr.Frames != 15 {
		t.Fatalf("plan: %+v", plan.Segments)
	}

	const fit = "scale=640:480:force_original_aspect_ratio=decrease:force_divisible_by=2," + ffargs.WorkRGB + "," +
		"pad=640:480:(ow-iw)/2:(oh-ih)/2:color=0x000000,setsar=1," + ffargs.ToBT709 // the stills' BT.709
	xf := filepath.Join(k.dir, "xfade.mp4")
	k.ffmpeg("-v", "error", "-i", pics[0], "-i", pics[1], "-filter_complex", fmt.Sprintf(
		"[0:v]%s,loop=loop=%d:size=1:start=0,settb=1/30,setpts=N/30/TB[a];"+
			"[1:v]%s,loop=loop=%d:size=1:start=0,settb=1/30,setpts=N/30/TB[b];"+
			"[a][b]xfade=transition=fade:duration=%.6f:offset=%.6f[v]",
		fit, tr.Start+tr.Frames-1, fit, plan.Frames-tr.Start-1, float64(tr.Frames)/30, float64(tr.Start)/30),
		"-map", "[v]", "-r", "30", "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p", xf)

	// Every frame against xfade's: the holds are the same, the fade within rounding.
	ps := k.psnrs(s.job.Output, xf, "")
	if int64(len(ps)) != plan.Frames {
		t.Fatalf("compared %d frames, want %d", len(ps), plan.Frames)
	}
	for i, p := range ps {
		in := int64(i) >= tr.Start && int64(i) < tr.Start+tr.Frames
		if !in && !math.IsInf(p, 1) || p < 45 {
			t.Errorf("frame %d (in the fade: %v): %.1f dB from xfade's", i, in, p)
		}
	}
	// steps[i] compares frame i+1 with frame i, in this render and in xfade's.
	steps, xsteps := k.psnrs(s.job.Output, s.job.Output, "trim=start_frame=1"), k.psnrs(xf, xf, "trim=start_frame=1")
	first, last := tr.Start, tr.Start+tr.Frames-1
	if !math.IsInf(steps[first-1], 1) || !math.IsInf(xsteps[first-1], 1) {
		t.Errorf("hold -> fade: the fade's first frame is %.1f dB from the hold's last (xfade's %.1f), want the same frame",
			steps[first-1], xsteps[first-1])
	}
	inside := math.Inf(1)
	for i := first; i < last; i++ {
		inside = min(inside, steps[i])
	}
	if steps[last] < inside-0.5 {
		t.Errorf("fade -> hold: a step of %.1f dB, the fade's own steps are no larger than %.1f dB", steps[last], inside)
	}
	t.Logf("frames against xfade's fade: %v", ps[first:last+1])
	t.Logf("steps: hold -> fade %.1f dB, inside the fade >= %.1f dB, fade -> hold %.1f dB (xfade's: %.1f, %.1f dB)",
		steps[first-1], inside, steps[last], xsteps[first-1], xsteps[last])
}
