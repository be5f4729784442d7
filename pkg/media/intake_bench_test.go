//go:build bench

package media_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// TestBenchIntake takes in the reference corpus's twelve pictures (01..12), one after the
// other, each with its 1920x1080 contain-on-black render still as an upload to the reference
// project makes it, then again with the thumbnail alone (picture links, simvid render), and
// prints the CPU seconds of this process and every ffmpeg/ffprobe it ran, and the wall time. Run it on a quiet machine, several times, and take the minimum:
//
//	SIMVID_BENCH_CORPUS=$PWD/.bench/corpus go test -tags bench -run TestBenchIntake -count=1 -v ./pkg/media
func TestBenchIntake(t *testing.T) {
	corpus := os.Getenv("SIMVID_BENCH_CORPUS")
	if corpus == "" {
		t.Skip("SIMVID_BENCH_CORPUS is not set (make bench builds the corpus)")
	}
	pics, _ := filepath.Glob(filepath.Join(corpus, "images", "[01][0-9].*"))
	if len(pics) != 12 {
		t.Fatalf("want the 12 reference pictures 01..12 in %s/images, found %d", corpus, len(pics))
	}
	dir := t.TempDir()
	st, err := media.NewFiles(filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	ff := ffmpeg.New("", "", zap.NewNop())
	in := media.NewIntake(ff, st, media.Limits{ImagePixels: 60_000_000, ProbeTimeout: time.Minute}, zap.NewNop())
	spec := simvid.Spec{Output: simvid.Output{Resolution: "1920x1080"},
		Defaults: simvid.SlideDefaults{Fit: "contain", Background: "#000000"}}
	still := func(a *simvid.Asset) (media.StillGraph, int, string) {
		one := simvid.Spec{Output: spec.Output, Defaults: spec.Defaults, Slides: []simvid.Slide{{Asset: a.ID}}}
		one.Normalize()
		v, err := render.NewPlan(render.Input{Spec: one,
			Images: map[string]render.Image{a.ID: {SHA256: a.SHA256, Width: a.Width, Height: a.Height, Orientation: a.Orientation, Format: a.Format}}})
		if err != nil || len(v.Stills) != 1 {
			t.Errorf("plan of the still: %v", err)
			return nil, 0, ""
		}
		s := v.Stills[0]
		return func(in, tap string, minSide int) (string, bool) {
			return render.StillFilterTap(s, in, tap, a.Width, a.Height, minSide)
		}, s.Lowres, filepath.Join(dir, "stills", s.Key+".y4m")
	}
	for _, mode := range []struct {
		name  string
		still media.StillFunc
	}{{"upload (thumbnail and still)", still}, {"thumbnail only (links, simvid render)", nil}} {
		pid := simvid.NewID(simvid.PrefixProject)
		self0, cpu0, start := selfSeconds(t), cpuSeconds(t), time.Now()
		for _, p := range pics {
			c0, w0 := cpuSeconds(t), time.Now()
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			a, err := in.ImageWithStill(context.Background(), pid, filepath.Base(p), f, mode.still)
			_ = f.Close()
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			t.Logf("%-8s %4dx%-4d %-7s cpu %5.2f s  wall %5.2f s", filepath.Base(p), a.Width, a.Height, a.PixFmt,
				cpuSeconds(t)-c0, time.Since(w0).Seconds())
		}
		t.Logf("%s of %d pictures: cpu %.2f s (this process %.2f s), wall %.2f s", mode.name, len(pics),
			cpuSeconds(t)-cpu0, selfSeconds(t)-self0, time.Since(start).Seconds())
	}
	if n, _ := filepath.Glob(filepath.Join(dir, "stills", "*.y4m")); len(n) != len(pics) {
		t.Errorf("%d stills made for %d pictures", len(n), len(pics))
	}
}

// cpuSeconds is the user and system time of this process and its waited-for children.
func cpuSeconds(t *testing.T) float64 {
	return rusageSeconds(t, syscall.RUSAGE_SELF) + rusageSeconds(t, syscall.RUSAGE_CHILDREN)
}

// selfSeconds is the user and system time of this process alone (hashing, sniffing, headers).
func selfSeconds(t *testing.T) float64 { return rusageSeconds(t, syscall.RUSAGE_SELF) }

func rusageSeconds(t *testing.T, who int) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		t.Fatal(err)
	}
	sec := func(tv syscall.Timeval) float64 { return float64(tv.Sec) + float64(tv.Usec)/1e6 }
	return sec(ru.Utime) + sec(ru.Stime)
}
