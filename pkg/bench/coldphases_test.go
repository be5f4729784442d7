//go:build bench

package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// phaseClock cuts a run on one simvid server into phases: at each mark it reads the server's
// usage (/metrics and /proc) and the bench's wall clock, and keeps the difference from the
// mark before. The reading is taken while the server runs, before it stops.
type phaseClock struct {
	ctx    context.Context
	t      *testing.T
	srv    *Server
	last   *Usage
	at     time.Time
	phases []Phase
}

func newPhaseClock(ctx context.Context, t *testing.T, srv *Server) *phaseClock {
	t.Helper()
	u, err := ScrapeUsage(ctx, srv.MetricsURL, srv.Pid())
	if err != nil {
		t.Fatal(err)
	}
	return &phaseClock{ctx: ctx, t: t, srv: srv, last: u, at: time.Now()}
}

func (p *phaseClock) mark(name string) {
	now := time.Now()
	u, err := ScrapeUsage(p.ctx, p.srv.MetricsURL, p.srv.Pid())
	if err != nil {
		p.t.Errorf("phase %s: %v", name, err)
		return
	}
	p.phases = append(p.phases, Phase{Name: name, Wall: now.Sub(p.at).Seconds(), Usage: u.Sub(p.last)})
	p.last, p.at = u, time.Now() // the scrape itself is no phase's
}

// coldServerRun is one cold render of the reference show on a fresh `simvid all` in dir,
// stopped afterwards: the repeated runs of the spread.
func coldServerRun(ctx context.Context, t *testing.T, bin, dir string, pics []string, music string) (Measure, []Phase, float64) {
	t.Helper()
	srv, logPath, stop := startLogged(ctx, t, bin, dir)
	defer stop()
	sampler := NewPeakSampler(srv.Pid(), sampleEvery)
	defer sampler.Stop()
	clock := newPhaseClock(ctx, t, srv)
	start := time.Now()
	_, renderID, _, renderSec, err := coldRunMarked(ctx, NewClient(srv.URL), pics, music, filepath.Join(dir, "cold.mp4"), clock.mark)
	sec := time.Since(start).Seconds()
	if err != nil {
		t.Fatalf("cold run in %s: %v\n%s", dir, err, tail(logPath))
	}
	checkVideo(t, renderID, probeVideo(ctx, t, filepath.Join(dir, "cold.mp4")))
	return Measure{"simvid cold", sec, sampler.Reset()}, clock.phases, renderSec
}

// cliRun renders the reference show with `simvid render --timings` (a fresh cache: cold) and
// returns its measure, its CPU seconds (its rusage, ffmpeg's included) and its output.
func cliRun(ctx context.Context, t *testing.T, bin string, pics []string, music, dir string) (Measure, float64, string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "cli.mp4")
	args := append([]string{"render"}, pics...)
	args = append(args, "--audio", music, "-o", out, "--cache-dir", filepath.Join(dir, "cache"),
		"--resolution", fmt.Sprintf("%dx%d", benchWidth, benchHeight), "--duration", fmt.Sprint(benchSeconds),
		"--transition", "fade", "--transition-duration", fmt.Sprint(benchFade), "--fit", "contain",
		"--background", "#000000", "--timings")
	var buf bytes.Buffer
	p, sec, peak := runSampled(ctx, t, "simvid render", bin, args, &buf)
	checkVideo(t, "simvid render", probeVideo(ctx, t, out))
	st := p.Cmd.ProcessState
	return Measure{"simvid render (CLI)", sec, peak}, (st.UserTime() + st.SystemTime()).Seconds(), buf.String()
}

// benchRuns is SIMVID_BENCH_RUNS, the number of interleaved reference and cold server runs
// the ratios' spread is taken over (default 3).
func benchRuns(t *testing.T) int {
	s := os.Getenv("SIMVID_BENCH_RUNS")
	if s == "" {
		return 3
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("SIMVID_BENCH_RUNS=%q: want a whole number of at least 1", s)
	}
	return n
}

// phaseWall is the wall seconds of the named phases.
func phaseWall(phases []Phase, names ...string) float64 {
	var s float64
	for _, p := range phases {
		for _, n := range names {
			if p.Name == n {
				s += p.Wall
			}
		}
	}
	return s
}

// phaseCPU is the process tree's CPU seconds over all phases.
func phaseCPU(phases []Phase) float64 {
	var s float64
	for _, p := range phases {
		s += p.Usage.TreeCPU
	}
	return s
}
