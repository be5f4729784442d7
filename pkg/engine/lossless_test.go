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

	"github.com/simvid/simvid/pkg/ffargs"
	"github.com/simvid/simvid/pkg/render"
)

// TestLosslessMatchesSinglePass: with lossless encoding, the segmented render equals a
// single-pass render of the same spec, frame for frame, the joins included.
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

	// The single pass: one ffmpeg, one encode. Every picture is fitted once and split into the
	// parts it plays, each looped for the frames the slide timings give it: the hold (with
	// the holds' chroma) and the transitions on either side (render.TransitionInput and
	// render.TransitionFilter, as segments make them); concat puts the parts end to end. Not
	// an xfade chain as in reference.sh: a chain sends every frame before a transition
	// through that transition's filter, and xfade takes each of them to 4:4:4 and back, which
	// no segment does (and the round trip changes chroma again each time).
	const fit = "scale=640:480:force_original_aspect_ratio=decrease:force_divisible_by=2," + ffargs.WorkRGB + "," +
		"pad=640:480:(ow-iw)/2:(oh-ih)/2:color=0x000000,setsar=1," + ffargs.ToBT709 // the stills' BT.709
	loop := func(n int64) string {
		return fmt.Sprintf("loop=loop=%d:size=1:start=0,settb=1/30,setpts=N/30/TB", n-1)
	}
	names := []string{"fade", "wipeleft"}
	var args, parts []string
	var fc strings.Builder
	for i, sl := range plan.Slides {
		args = append(args, "-i", pics[i])
		fmt.Fprintf(&fc, "[%d:v]%s,split=3[in%d][hold%d][out%d];", i, fit, i, i, i)
		if i == 0 {
			fmt.Fprintf(&fc, "[in%d]nullsink;", i)
		} else {
			tr := plan.Slides[i-1].Out + sl.In
			fmt.Fprintf(&fc, "[in%d]%s%s[tb%d];", i, render.TransitionInput(names[i-1]), loop(tr), i-1)
			fmt.Fprintf(&fc, "%s;", render.TransitionFilter(names[i-1], tr, 30, fmt.Sprintf("ta%d", i-1), fmt.Sprintf("tb%d", i-1), fmt.Sprintf("t%d", i-1)))
			parts = append(parts, fmt.Sprintf("[t%d]", i-1))
		}
		fmt.Fprintf(&fc, "[hold%d]%s,%s[h%d];", i, render.ChromaTrip, loop(sl.Frames-sl.In-sl.Out), i)
		parts = append(parts, fmt.Sprintf("[h%d]", i))
		if i == len(plan.Slides)-1 {
			fmt.Fprintf(&fc, "[out%d]nullsink;", i)
		} else {
			tr := sl.Out + plan.Slides[i+1].In
			fmt.Fprintf(&fc, "[out%d]%s%s[ta%d];", i, render.TransitionInput(names[i]), loop(tr), i)
		}
	}
	fmt.Fprintf(&fc, "%sconcat=n=%d:v=1:a=0[v]", strings.Join(parts, ""), len(parts))
	single := filepath.Join(k.dir, "single.mp4")
	args = append(args, "-filter_complex", fc.String(), "-map", "[v]",
		"-r", "30", "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p", single)
	k.ffmpeg(append([]string{"-v", "error"}, args...)...)

	ps := k.psnrs(s.job.Output, single, "")
	if int64(len(ps)) != plan.Frames {
		t.Fatalf("compared %d frames, want %d", len(ps), plan.Frames)
	}
	worst := math.Inf(1)
	for _, p := range ps {
		worst = min(worst, p)
	}
	if worst < 60 {
		t.Errorf("worst frame PSNR %.1f dB, want >= 60", worst)
	}
	t.Logf("worst frame PSNR over %d frames: %.1f dB", len(ps), worst)
}

// psnrs returns the PSNR (all planes, +Inf for equal frames) of every frame of video a against
// the same frame of b, each stream first passed through its filter chain pre ("" for none).
func (k *kit) psnrs(a, b, pre string) []float64 {
	k.t.Helper()
	if pre != "" {
		pre += ","
	}
	stats := filepath.Join(k.t.TempDir(), "psnr.log")
	k.ffmpeg("-v", "error", "-i", a, "-i", b, "-lavfi",
		"[0:v]"+pre+"setpts=PTS-STARTPTS[a];[1:v]setpts=PTS-STARTPTS[b];[a][b]psnr=stats_file="+stats, "-f", "null", "-")
	raw, err := os.ReadFile(stats)
	if err != nil {
		k.t.Fatal(err)
	}
	var out []float64
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		for _, f := range strings.Fields(l) {
			if v, ok := strings.CutPrefix(f, "psnr_avg:"); ok {
				p, _ := strconv.ParseFloat(v, 64) // "inf" parses as +Inf
				out = append(out, p)
			}
		}
	}
	return out
}
