package engine

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLosslessMatchesSinglePass: with lossless encoding, the segmented render equals a
// single-pass render of the same spec built the way bench/reference.sh builds it, frame for
// frame, the joins included.
func TestLosslessMatchesSinglePass(t *testing.T) {
	k := newKit(t)
	pics := []string{
		k.picture("a.png", "testsrc=s=320x240"),
		k.picture("b.png", "testsrc2=s=200x300"),
		k.picture("c.png", "mandelbrot=s=320x200"),
	}
	durs := []float64{1, 1.2, 1}
	s := k.show("640x480", "standard")
	s.in.Lossless = true
	for i, p := range pics {
		s.slide(p, durs[i], "contain", 1)
	}
	s.in.Spec.Slides[1].Transition = "wipeleft"
	plan := s.plan()
	s.run(context.Background())
	if plan.Frames != 96 || len(plan.Segments) != 5 {
		t.Fatalf("plan: %d frames, %d segments", plan.Frames, len(plan.Segments))
	}

	// The single pass: every picture fitted, held for its frames plus its transitions' halves,
	// chained through xfade at the cut minus the outgoing half, as in reference.sh.
	const fit = "scale=640:480:force_original_aspect_ratio=decrease:force_divisible_by=2," +
		"pad=640:480:(ow-iw)/2:(oh-ih)/2:color=0x000000,setsar=1,format=yuv420p"
	var args []string
	var fc strings.Builder
	for i, sl := range plan.Slides {
		n := sl.Frames
		if i > 0 {
			n += plan.Slides[i-1].Out
		}
		if i < len(plan.Slides)-1 {
			n += plan.Slides[i+1].In
		}
		args = append(args, "-i", pics[i])
		fmt.Fprintf(&fc, "[%d:v]%s,loop=loop=%d:size=1:start=0,settb=1/30,setpts=N/30/TB[v%d];", i, fit, n-1, i)
	}
	prev := "v0"
	names := []string{"fade", "wipeleft"}
	for i := 1; i < len(plan.Slides); i++ {
		tr := plan.Slides[i-1].Out + plan.Slides[i].In
		off := plan.Slides[i].Start - plan.Slides[i-1].Out
		fmt.Fprintf(&fc, "[%s][v%d]xfade=transition=%s:duration=%.6f:offset=%.6f[x%d];", prev, i, names[i-1], float64(tr)/30, float64(off)/30, i)
		prev = "x" + strconv.Itoa(i)
	}
	single := filepath.Join(k.dir, "single.mp4")
	args = append(args, "-filter_complex", strings.TrimSuffix(fc.String(), ";"), "-map", "["+prev+"]",
		"-r", "30", "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p", single)
	k.ffmpeg(append([]string{"-v", "error"}, args...)...)

	stats := filepath.Join(k.dir, "psnr.log")
	k.ffmpeg("-v", "error", "-i", s.job.Output, "-i", single, "-lavfi", "[0:v][1:v]psnr=stats_file="+stats, "-f", "null", "-")
	raw, err := os.ReadFile(stats)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if int64(len(lines)) != plan.Frames {
		t.Fatalf("compared %d frames, want %d", len(lines), plan.Frames)
	}
	worst := math.Inf(1)
	for _, l := range lines {
		for _, f := range strings.Fields(l) {
			if v, ok := strings.CutPrefix(f, "psnr_avg:"); ok {
				p, _ := strconv.ParseFloat(v, 64) // "inf" parses as +Inf
				worst = min(worst, p)
			}
		}
	}
	if worst < 60 {
		t.Errorf("worst frame PSNR %.1f dB, want >= 60", worst)
	}
	t.Logf("worst frame PSNR over %d frames: %.1f dB", len(lines), worst)
}
