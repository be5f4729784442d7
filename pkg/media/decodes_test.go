package media

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/simvid"
)

// Limits.Decodes bounds the pictures decoded at once across concurrent uploads. The real
// ffmpeg runs behind a wrapper that logs when each run starts and ends.
func TestIntakeDecodesBounded(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	real, _ := exec.LookPath("ffmpeg")
	dir := t.TempDir()
	logf := filepath.Join(dir, "runs.log")
	wrapper := filepath.Join(dir, "ffmpeg")
	script := fmt.Sprintf("#!/bin/sh\necho \"start $(date +%%s%%N)\" >> %s\n%s \"$@\"\nrc=$?\necho \"end $(date +%%s%%N)\" >> %s\nexit $rc\n", logf, real, logf)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{1, 3} {
		os.Remove(logf)
		f := newFixture(t, testLimits)
		log := zaptest.NewLogger(t)
		lim := testLimits
		lim.Decodes = limit
		in := NewIntake(ffmpeg.New(wrapper, "", log), f.st, lim, log)
		pics := make([]string, 6)
		for i := range pics {
			pics[i] = f.gen(t, fmt.Sprintf("p%d.jpg", i), "-f", "lavfi", "-i", "testsrc2=s=1600x1200", "-frames:v", "1")
		}
		var wg sync.WaitGroup
		for _, p := range pics {
			wg.Go(func() {
				r, err := os.Open(p)
				if err != nil {
					t.Error(err)
					return
				}
				defer r.Close()
				if _, err := in.Image(context.Background(), simvid.NewID(simvid.PrefixProject), "p.jpg", r); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		peak, runs := peakOverlap(t, logf)
		t.Logf("Decodes=%d: %d ffmpeg runs for %d uploads at once, at most %d together", limit, runs, len(pics), peak)
		if runs != len(pics) || peak > limit || (limit > 1 && peak < 2) {
			t.Fatalf("Decodes=%d: %d runs, peak %d at once", limit, runs, peak)
		}
	}
}

// peakOverlap reads the wrapper's log and returns the most runs in flight at once.
func peakOverlap(t *testing.T, logf string) (peak, runs int) {
	b, err := os.ReadFile(logf)
	if err != nil {
		t.Fatal(err)
	}
	type ev struct {
		at    int64
		delta int
	}
	var evs []ev
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		kind, ts, _ := strings.Cut(line, " ")
		n, _ := strconv.ParseInt(ts, 10, 64)
		d := 1
		if kind == "end" {
			d = -1
		} else {
			runs++
		}
		evs = append(evs, ev{n, d})
	}
	sort.Slice(evs, func(i, j int) bool { // an end before a start at the same instant
		return evs[i].at < evs[j].at || (evs[i].at == evs[j].at && evs[i].delta < evs[j].delta)
	})
	cur := 0
	for _, e := range evs {
		cur += e.delta
		peak = max(peak, cur)
	}
	return peak, runs
}
