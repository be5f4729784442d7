package engine

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/render"
)

// TestDissolveMatchesXfade: a fade made in the bitstream (its end frames encoded, the frames
// between blended by the decoder) shows, frame by frame, what the same fade encoded through
// xfade shows: the same weights at the same frames. A weight one frame off would cost a
// picture this different about 20 dB; encoding noise at standard quality leaves over 35.
func TestDissolveMatchesXfade(t *testing.T) {
	k := newKit(t)
	s := k.show("640x480", "standard")
	s.slide(k.picture("a.png", "testsrc=s=640x480"), 1, "", 1)
	s.slide(k.picture("b.png", "mandelbrot=s=640x480"), 1, "", 1)
	p := s.plan()
	s.run(context.Background())
	var fade *render.Segment
	for i, sg := range p.Segments {
		if sg.Kind == render.KindTransition {
			fade = &p.Segments[i]
		}
	}
	if fade == nil || fade.Making(p.Encoder) != render.Dissolved {
		t.Fatalf("the plan's fade is not dissolved: %+v", fade)
	}
	stills := []string{k.eng.StillPath(fade.Stills[0]), k.eng.StillPath(fade.Stills[1])}
	xfade := filepath.Join(k.dir, "xfade.mp4")
	k.ffmpeg(append([]string{"-v", "error"}, render.SegmentArgs(*fade, stills, xfade, p.Encoder)...)...)

	stats := filepath.Join(k.dir, "psnr.log")
	k.ffmpeg("-v", "error", "-i", k.eng.SegmentPath(fade.Key), "-i", xfade, "-lavfi", "[0:v][1:v]psnr=stats_file="+stats, "-f", "null", "-")
	raw, err := os.ReadFile(stats)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if int64(len(lines)) != fade.Frames {
		t.Fatalf("compared %d frames, want %d", len(lines), fade.Frames)
	}
	var got []string
	worst := math.Inf(1)
	for _, l := range lines {
		for _, f := range strings.Fields(l) {
			if v, ok := strings.CutPrefix(f, "psnr_avg:"); ok {
				db, _ := strconv.ParseFloat(v, 64)
				worst = min(worst, db)
				got = append(got, v)
			}
		}
	}
	t.Logf("PSNR against xfade, frame by frame: %s", strings.Join(got, " "))
	if worst < 35 {
		t.Errorf("worst frame %.1f dB against xfade, want >= 35", worst)
	}
}
