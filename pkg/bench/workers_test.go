//go:build bench

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/redisx/redistest"
)

// workerRun renders the reference slideshow cold on one `simvid serve` and n `simvid work`
// processes (one video job at a time each) sharing a real redis-server and a data directory.
// The measure's memory is the sum of each process tree's peak. It returns the render's seconds
// (request to downloaded file) and the CPU seconds the work processes and their ffmpeg spent
// in them.
func workerRun(ctx context.Context, t *testing.T, bin string, n int, pics []string, music, work string) (m Measure, renderSec, renderCPU float64) {
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
	env := []string{"SIMVID_REDIS_URL=" + rs.URL(), "SIMVID_METRICS_ADDR=off", "SIMVID_LOG_LEVEL=info"}
	// SIMVID_BENCH_LOG=DIR keeps each process's debug log there (DIR/workers-N-ROLE.log), to
	// build a timeline of the render across the workers after the run.
	keep := os.Getenv("SIMVID_BENCH_LOG")
	if keep != "" {
		env[len(env)-1] = "SIMVID_LOG_LEVEL=debug"
	}
	addr, err := FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	var procs []*Process
	var samplers []*PeakSampler
	start := func(args ...string) *Process {
		var out io.Writer = logFile
		if keep != "" {
			f, err := os.Create(filepath.Join(keep, fmt.Sprintf("workers-%d-%s%d.log", n, args[0], len(procs))))
			if err != nil {
				t.Fatal(err)
			}
			defer func() { t.Cleanup(func() { f.Close() }) }()
			out = io.MultiWriter(logFile, f)
		}
		p, err := StartProcess(bin, append(args, "--data-dir", data), env, out)
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
	var workers []int
	for i := 0; i < n; i++ {
		workers = append(workers, start("work", "--queue=video,audio", "--concurrency=1").Pid())
	}
	cpu0 := treeCPU(workers)
	var cpuAtRender float64
	begin := time.Now()
	_, renderID, _, renderSec, err := coldRunMarked(ctx, NewClient("http://"+addr), pics, music, filepath.Join(dir, "out.mp4"), func(phase string) {
		if phase == "upload+intake" {
			cpuAtRender = treeCPU(workers)
		}
	})
	sec := time.Since(begin).Seconds()
	if err != nil {
		t.Fatalf("%d workers: %v\n%s", n, err, tail(logPath))
	}
	checkVideo(t, renderID, probeVideo(ctx, t, filepath.Join(dir, "out.mp4")))
	cpu := treeCPU(workers)
	renderCPU = cpu - cpuAtRender
	sayer(t)(fmt.Sprintf("%d worker(s): %s; the work processes and their ffmpeg used %.1f CPU s over the cold run (music included), %.1f of them in the render: %.2f cores",
		n, explainSteps(logPath, renderSec), cpu-cpu0, renderCPU, renderCPU/renderSec))
	var peak int64
	for _, s := range samplers {
		peak += s.Stop()
	}
	return Measure{fmt.Sprintf("cold, %d worker(s)", n), sec, peak}, renderSec, renderCPU
}

// workersCeiling says what the machine's cores allow more workers to gain: the render cannot
// take less than its CPU seconds spread over every core, however many workers share it. One
// worker that already keeps more than half of two cores busy (x264's threads, the music
// beside the video) leaves two workers less than 2x.
func workersCeiling(renderSec, renderCPU float64) (ceiling float64, why string) {
	cores := float64(runtime.NumCPU())
	floor := renderCPU / cores
	ceiling = renderSec / floor
	return ceiling, fmt.Sprintf("one worker's render used %.1f CPU s in %.2f s (%.2f of %.0f cores); %.0f cores need at least %.2f s for it: more workers gain at most %.2fx here",
		renderCPU, renderSec, renderCPU/renderSec, cores, cores, floor, ceiling)
}

// explainSteps reads the coordinator's "render steps" log line and splits the render's
// seconds (request to downloaded file) into the part only the coordinator runs and the part
// every worker shares (the segment groups): with w workers the render can take no less than
// serial + groups/w, whatever the queue does.
func explainSteps(logPath string, renderSec float64) string {
	b, err := os.ReadFile(logPath)
	if err != nil {
		return "no log: " + err.Error()
	}
	var st map[string]any
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, `"render steps"`) {
			_ = json.Unmarshal([]byte(line), &st)
		}
	}
	if st == nil {
		return "no \"render steps\" line in the log (a release before it)"
	}
	f := func(k string) float64 { v, _ := st[k].(float64); return v }
	groups := f("groups_s")
	coord := f("stills_s") + f("queue_s") + f("music_after_s") + f("join_s")
	other := renderSec - coord - groups
	serial := renderSec - groups
	return fmt.Sprintf("render %.2f s = serial %.2f s (stills %.2f, queueing %.2f, music after the video %.2f, join %.2f, "+
		"the rest %.2f: pick-up, planning, finishing, download) + segment groups %.2f s (%.0f groups, %.0f by the coordinator); "+
		"bound with twice the workers: %.2f s, %.2fx",
		renderSec, serial, f("stills_s"), f("queue_s"), f("music_after_s"), f("join_s"), other, groups, f("groups"), f("own_groups"),
		serial+groups/2, renderSec/(serial+groups/2))
}

// TestBenchWorkers is the worker part of TestBench alone: the reference show cold on serve
// plus 1 and 2 `simvid work`, each render's time split into its serial part and its groups.
//
//	SIMVID_BENCH_CORPUS=$PWD/.bench/corpus go test -tags bench -run TestBenchWorkers -count=1 -v ./pkg/bench
func TestBenchWorkers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	_, _, bin, pics, music := setup(ctx, t)
	work := t.TempDir()
	var renders, cpus []float64
	for _, n := range []int{1, 2} {
		_, r, c := workerRun(ctx, t, bin, n, pics, music, work)
		renders, cpus = append(renders, r), append(cpus, c)
	}
	_, why := workersCeiling(renders[0], cpus[0])
	sayer(t)(fmt.Sprintf("2 workers: render %.2f s against 1 worker's %.2f s: %.2fx (target >= 1.6x); %s", renders[1], renders[0], renders[0]/renders[1], why))
}

// treeCPU is the CPU seconds the processes pids, their reaped children (every finished
// ffmpeg) and their running descendants used so far (TreeCPU of each).
func treeCPU(pids []int) float64 {
	var sec float64
	for _, pid := range pids {
		sec += TreeCPU(pid)
	}
	return sec
}
