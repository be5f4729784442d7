//go:build bench

package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/redisx/redistest"
)

// workerRun renders the reference slideshow cold on one `simvid serve` and n `simvid work`
// processes (one video job at a time each) sharing a real redis-server and a data directory.
// The measure's memory is the sum of each process tree's peak.
func workerRun(ctx context.Context, t *testing.T, bin string, n int, pics []string, music, work string) (Measure, float64) {
	t.Helper()
	dir := filepath.Join(work, fmt.Sprintf("workers-%d", n))
	data := filepath.Join(dir, "data")
	logPath := filepath.Join(dir, "simvid.log")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	rs := redistest.StartServer(t)
	defer rs.Stop()
	env := []string{"SIMVID_REDIS_URL=" + rs.URL(), "SIMVID_METRICS_ADDR=off", "SIMVID_LOG_LEVEL=warn"}
	addr, err := FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	var procs []*Process
	var samplers []*PeakSampler
	start := func(args ...string) *Process {
		p, err := StartProcess(bin, append(args, "--data-dir", data), env, logFile)
		if err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
		samplers = append(samplers, NewPeakSampler(p.Pid(), sampleEvery))
		return p
	}
	defer func() {
		for _, p := range procs {
			_ = p.Stop(30 * time.Second)
		}
	}()
	web := start("serve", "--addr", addr)
	rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := WaitReady(rctx, "http://"+addr, web); err != nil {
		t.Fatalf("serve: %v\n%s", err, tail(logPath))
	}
	for i := 0; i < n; i++ {
		start("work", "--queue=video,audio", "--concurrency=1")
	}
	begin := time.Now()
	_, renderID, _, renderSec, err := coldRun(ctx, NewClient("http://"+addr), pics, music, filepath.Join(dir, "out.mp4"))
	sec := time.Since(begin).Seconds()
	if err != nil {
		t.Fatalf("%d workers: %v\n%s", n, err, tail(logPath))
	}
	checkVideo(t, renderID, probeVideo(ctx, t, filepath.Join(dir, "out.mp4")))
	var peak int64
	for _, s := range samplers {
		peak += s.Stop()
	}
	return Measure{fmt.Sprintf("cold, %d worker(s)", n), sec, peak}, renderSec
}
