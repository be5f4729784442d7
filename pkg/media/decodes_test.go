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
	dir := t.TempDir()
	logf := filepath.Join(dir, "runs.log")
	wrapper := logWrapper(t, dir, "ffmpeg", logf)
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
		takeIn(t, in, pics, nil)
		peak, _, runs := peakOverlap(t, logf)
		t.Logf("Decodes=%d: %d ffmpeg runs for %d uploads at once, at most %d together", limit, runs, len(pics), peak)
		if runs != len(pics) || peak > limit || (limit > 1 && peak < 2) {
			t.Fatalf("Decodes=%d: %d runs, peak %d at once", limit, runs, peak)
		}
	}
}

// A picture over Limits.DecodePixels takes more than one turn: with two turns, two large
// pictures are never decoded together, nor a large one beside anything else, while small
// pictures still go two at a time; and a music probe takes a turn like a decode.
func TestIntakeTurnsByPixels(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	logf := filepath.Join(dir, "runs.log")
	f := newFixture(t, testLimits)
	log := zaptest.NewLogger(t)
	lim := testLimits
	lim.Decodes, lim.DecodePixels = 2, 1_000_000
	in := NewIntake(ffmpeg.New(logWrapper(t, dir, "ffmpeg", logf), logWrapper(t, dir, "ffprobe", logf), log), f.st, lim, log)
	var pics, music []string
	for i := range 4 { // 1.92 megapixels: two turns (its thumbnail is 400x300)
		pics = append(pics, f.gen(t, fmt.Sprintf("big%d.jpg", i), "-f", "lavfi", "-i", "testsrc2=s=1600x1200", "-frames:v", "1"))
	}
	for i := range 4 { // 0.18 megapixels: one turn (its thumbnail is 400x200)
		pics = append(pics, f.gen(t, fmt.Sprintf("small%d.png", i), "-f", "lavfi", "-i", "testsrc2=s=600x300", "-frames:v", "1"))
	}
	for i := range 3 {
		music = append(music, f.gen(t, fmt.Sprintf("m%d.mp3", i), "-f", "lavfi", "-i", "sine=duration=1"))
	}
	takeIn(t, in, pics, music)
	peak, bigBeside, runs := peakOverlap(t, logf)
	t.Logf("%d runs (pictures and probes), at most %d together, a large picture beside another run %d times", runs, peak, bigBeside)
	if runs != len(pics)+len(music) || peak != 2 || bigBeside != 0 {
		t.Fatalf("%d runs, peak %d at once, a large picture beside another run %d times", runs, peak, bigBeside)
	}
}

// logWrapper writes an executable that runs the real tool and logs its start and end, tagged
// "big" when its arguments scale a 4:3 picture to a 400x300 thumbnail.
func logWrapper(t *testing.T, dir, tool, logf string) string {
	t.Helper()
	real, err := exec.LookPath(tool)
	if err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(dir, tool)
	script := fmt.Sprintf(`#!/bin/sh
tag=other
case "$*" in *scale=400:300*) tag=big;; esac
echo "start $(date +%%s%%N) $tag" >> %[1]s
%[2]s "$@"
rc=$?
echo "end $(date +%%s%%N) $tag" >> %[1]s
exit $rc
`, logf, real)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return wrapper
}

// takeIn uploads every picture and music file at once, each to a project of its own.
func takeIn(t *testing.T, in *Intake, pics, music []string) {
	t.Helper()
	var wg sync.WaitGroup
	for i, p := range append(append([]string(nil), pics...), music...) {
		wg.Go(func() {
			r, err := os.Open(p)
			if err != nil {
				t.Error(err)
				return
			}
			defer r.Close()
			pid := simvid.NewID(simvid.PrefixProject)
			if i < len(pics) {
				_, err = in.Image(context.Background(), pid, filepath.Base(p), r)
			} else {
				_, err = in.Audio(context.Background(), pid, filepath.Base(p), r)
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// peakOverlap reads the wrapper's log and returns the most runs in flight at once, how many
// times a run started or was running while a "big" one was, and the number of runs.
func peakOverlap(t *testing.T, logf string) (peak, bigBeside, runs int) {
	b, err := os.ReadFile(logf)
	if err != nil {
		t.Fatal(err)
	}
	type ev struct {
		at    int64
		delta int
		big   bool
	}
	var evs []ev
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		fs := strings.Fields(line)
		if len(fs) != 3 {
			t.Fatalf("log line %q", line)
		}
		n, _ := strconv.ParseInt(fs[1], 10, 64)
		d := 1
		if fs[0] == "end" {
			d = -1
		} else {
			runs++
		}
		evs = append(evs, ev{n, d, fs[2] == "big"})
	}
	sort.Slice(evs, func(i, j int) bool { // an end before a start at the same instant
		return evs[i].at < evs[j].at || (evs[i].at == evs[j].at && evs[i].delta < evs[j].delta)
	})
	cur, bigs := 0, 0
	for _, e := range evs {
		cur += e.delta
		if e.big {
			bigs += e.delta
		}
		if e.delta > 0 && bigs > 0 && cur > 1 {
			bigBeside++
		}
		peak = max(peak, cur)
	}
	return peak, bigBeside, runs
}
