//go:build bench

package bench

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/testutil"
)

// The reference slideshow: scripts/reference.sh CORPUS OUT 1920 1080 3 0.5.
const (
	benchWidth, benchHeight = 1920, 1080
	benchSeconds, benchFade = 3.0, 0.5
	benchFrames             = 12 * 3 * 30 // twelve slides of 3 s at 30 fps
	pollEvery               = 100 * time.Millisecond
	sampleEvery             = 50 * time.Millisecond
	mixSettle               = 3 * time.Second // between a music edit and its render, in the second music run
)

// benchSettings is the reference slideshow as a settings patch.
var benchSettings = map[string]any{
	"output":     map[string]any{"resolution": fmt.Sprintf("%dx%d", benchWidth, benchHeight)},
	"defaults":   map[string]any{"duration": benchSeconds, "fit": "contain", "background": "#000000"},
	"transition": map[string]any{"name": "fade", "duration": benchFade},
}

// TestBench renders the reference slideshow with the hand-written ffmpeg command and with a
// fresh `simvid all` (cold: uploads included; warm: the same project again), checks both
// simvid videos and prints the times, ratios and peak memory.
func TestBench(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 55*time.Minute)
	defer cancel()
	root, corpus, bin, pics, music := setup(ctx, t)
	work := t.TempDir()

	machine := ReadMachine()
	startup, err := MeasureStartup(ctx, "ffmpeg", 5)
	if err != nil {
		t.Fatal(err)
	}
	ref, refUse, refOwn := runReferenceUsage(ctx, t, root, corpus, filepath.Join(work, "reference.mp4"))
	refFacts := probeVideo(ctx, t, filepath.Join(work, "reference.mp4"))

	srv, logPath := startLoggedAll(ctx, t, bin, work)
	c := NewClient(srv.URL)
	sampler := NewPeakSampler(srv.Pid(), sampleEvery)
	defer sampler.Stop()

	// Cold: everything a person does, from an empty server to the downloaded video, cut into
	// phases by the server's own accounts.
	clock := newPhaseClock(ctx, t, srv)
	start := time.Now()
	projectID, renderID, phases, coldRender, err := coldRunMarked(ctx, c, pics, music, filepath.Join(work, "cold.mp4"), clock.mark)
	coldSec := time.Since(start).Seconds()
	if err != nil {
		t.Fatalf("cold run: %v\n%s", err, tail(logPath))
	}
	cold := Measure{"simvid cold", coldSec, sampler.Reset()}
	coldPhases := clock.phases

	// Warm: the same project rendered again by the same server.
	start = time.Now()
	warmID, err := renderAndDownload(ctx, c, projectID, filepath.Join(work, "warm.mp4"))
	if err != nil {
		t.Fatalf("warm run: %v\n%s", err, tail(logPath))
	}
	warm := Measure{"simvid warm", time.Since(start).Seconds(), sampler.Reset()}

	// One picture replaced: only the segments showing it are encoded again.
	picEdit, picSec, picID, err := editRun(ctx, c, projectID, filepath.Join(work, "picture.mp4"), func() error {
		return replacePicture(ctx, c, projectID, changedSlide, pics[changedSlide], work)
	})
	if err != nil {
		t.Fatalf("one-picture run: %v\n%s", err, tail(logPath))
	}
	onePic := Measure{"one picture changed", picSec, sampler.Reset()}

	// Music only: a fade-in added; no video is encoded, the music is made again and muxed.
	_, musicSec, musicID, err := editRun(ctx, c, projectID, filepath.Join(work, "music.mp4"), func() error {
		_, err := c.PatchSettings(ctx, projectID, map[string]any{"music": map[string]any{"fade_in": 1.0}})
		return err
	})
	if err != nil {
		t.Fatalf("music-only run: %v\n%s", err, tail(logPath))
	}
	musicOnly := Measure{"music only changed", musicSec, sampler.Reset()}

	// The same a moment later: a person who changes the music and then presses Generate gives
	// the mix_music job (queued by the edit, after a 1 s debounce) time to make the mix first.
	_, laterSec, laterID, err := editRun(ctx, c, projectID, filepath.Join(work, "music-later.mp4"), func() error {
		_, err := c.PatchSettings(ctx, projectID, map[string]any{"music": map[string]any{"fade_in": 2.0}})
		time.Sleep(mixSettle)
		return err
	})
	if err != nil {
		t.Fatalf("music-later run: %v\n%s", err, tail(logPath))
	}
	musicLater := Measure{fmt.Sprintf("music changed %gs before", mixSettle.Seconds()), laterSec, sampler.Reset()}

	say := sayer(t)
	say(fmt.Sprintf("simvid bench: 12 pictures at %dx%d, %g s each, %g s fade, music; %d frames",
		benchWidth, benchHeight, benchSeconds, benchFade, benchFrames))
	for _, line := range Table(ref, cold, warm, onePic, musicOnly, musicLater) {
		say(line)
	}
	say(fmt.Sprintf("cold phases: %s", phases))
	say(fmt.Sprintf("re-renders against the cold render (%.2f s): one picture %.2fx (its upload and edit %.2f s more), music only %.2fx, music changed %gs before %.2fx",
		coldRender, picSec/coldRender, picEdit, musicSec/coldRender, mixSettle.Seconds(), laterSec/coldRender))
	say(fmt.Sprintf("reference: ffmpeg alone %s s by its own clock; output %s", refOwn, refFacts))

	for name, path := range map[string]string{renderID: "cold.mp4", warmID: "warm.mp4", picID: "picture.mp4", musicID: "music.mp4", laterID: "music-later.mp4"} {
		checkVideo(t, name, probeVideo(ctx, t, filepath.Join(work, path)))
	}

	say("")
	say("machine: " + machine.String())
	say(fmt.Sprintf("phase breakdown of the cold server render (run 1; wall by the bench's clock, CPU summed over simvid's process tree, ffmpeg's by kind from /metrics; load average now %s):", LoadAverage()))
	for _, line := range PhaseTable(coldPhases, refUse, startup) {
		say(line)
	}

	// The spread: the reference and a cold render on a fresh server, interleaved, again.
	coldRatios := []float64{coldSec / ref.Seconds}
	stepRatios := []float64{coldRender / ref.Seconds}
	cpuRatios := []float64{phaseCPU(coldPhases) / refUse.CPU}
	colds, peakCold := []float64{coldSec}, cold.PeakRSS
	nRuns := benchRuns(t)
	for i := 2; i <= nRuns; i++ {
		dir := filepath.Join(work, fmt.Sprintf("run-%d", i))
		r, ru, _ := runReferenceUsage(ctx, t, root, corpus, filepath.Join(work, fmt.Sprintf("reference-%d.mp4", i)))
		m, ph, step := coldServerRun(ctx, t, bin, dir, pics, music)
		say(fmt.Sprintf("run %d: reference %.2f s (cpu %.2f s), simvid cold %.2f s (cpu %.2f s, render step %.2f s, peak %.0f MB), load average %s",
			i, r.Seconds, ru.CPU, m.Seconds, phaseCPU(ph), step, float64(m.PeakRSS)/(1<<20), LoadAverage()))
		coldRatios = append(coldRatios, m.Seconds/r.Seconds)
		stepRatios = append(stepRatios, step/r.Seconds)
		cpuRatios = append(cpuRatios, phaseCPU(ph)/ru.CPU)
		colds, peakCold = append(colds, m.Seconds), max(peakCold, m.PeakRSS)
	}
	say(fmt.Sprintf("ratios over %d interleaved runs: server cold / reference %s; render step after intake / reference %s; cold CPU / reference CPU %s",
		nRuns, SpreadOf(coldRatios), SpreadOf(stepRatios), SpreadOf(cpuRatios)))

	// The command line, cold, on the same show.
	cli, cliCPU, cliOut := cliRun(ctx, t, bin, pics, music, filepath.Join(work, "cli"))
	say(fmt.Sprintf("simvid render (CLI) cold: %.2f s, cpu %.2f s, peak %.0f MB; its --timings:", cli.Seconds, cliCPU, float64(cli.PeakRSS)/(1<<20)))
	for _, line := range strings.Split(strings.TrimSpace(cliOut), "\n") {
		say("  " + line)
	}

	targets := []Target{
		{Name: "server cold / reference (median)", Measured: SpreadOf(coldRatios).Median, Limit: 0.35, Unit: "x", LessIsBetter: true,
			Note: fmt.Sprintf("%d runs, %.2f-%.2f", nRuns, SpreadOf(coldRatios).Min, SpreadOf(coldRatios).Max)},
		{Name: "render step after intake / reference (median)", Measured: SpreadOf(stepRatios).Median, Limit: 0.15, Unit: "x", LessIsBetter: true,
			Note: fmt.Sprintf("%d runs, %.2f-%.2f", nRuns, SpreadOf(stepRatios).Min, SpreadOf(stepRatios).Max)},
		{Name: "simvid render cold / server cold (median)", Measured: cli.Seconds / SpreadOf(colds).Median, Limit: 1, Unit: "x", LessIsBetter: true},
		{Name: "music-only change / cold render step", Measured: musicSec / coldRender, Limit: 0.1, Unit: "x", LessIsBetter: true,
			Note: "a fade-in change; the new track at render time is the CLI/music bench's"},
		{Name: "peak summed RSS, cold (max of runs)", Measured: float64(peakCold) / (1 << 20), Limit: 300, Unit: " MB", LessIsBetter: true},
	}
	defer func() {
		targets = append(targets,
			Target{Name: "peak summed RSS, motion render", Measured: math.NaN(), Limit: 300, Unit: " MB", LessIsBetter: true, Note: "make bench-peers"},
			Target{Name: "long show cold / (25 x 12-picture cold)", Measured: math.NaN(), Limit: 1.1, Unit: "x", LessIsBetter: true, Note: "the long-show bench"},
			Target{Name: "long show peak RSS / 12-picture peak", Measured: math.NaN(), Limit: 1.2, Unit: "x", LessIsBetter: true, Note: "the long-show bench"},
			Target{Name: "long show one-picture edit", Measured: math.NaN(), Limit: 2, Unit: " s", LessIsBetter: true, Note: "the long-show bench"},
		)
		say("")
		machine.Load = LoadAverage()
		say(fmt.Sprintf("targets (issue 20; machine: %s):", machine.String()))
		for _, line := range Targets(targets...) {
			say(line)
		}
	}()

	// Worker processes: serve plus 1, 2 and 4 `simvid work` on a real Redis, each cold.
	// SIMVID_BENCH_WORKERS=0 leaves them out (a quicker run while working on the render).
	if os.Getenv("SIMVID_BENCH_WORKERS") == "0" {
		say("worker processes: left out (SIMVID_BENCH_WORKERS=0)")
		targets = append(targets, Target{Name: "two workers / one worker, render step", Measured: math.NaN(), Limit: 1.6, Unit: "x",
			Note: "SIMVID_BENCH_WORKERS=0"})
		return
	}
	runs := []Measure{ref}
	var renders, cpus []float64
	for _, n := range []int{1, 2, 4} {
		m, r, c := workerRun(ctx, t, bin, n, pics, music, work)
		runs, renders, cpus = append(runs, m), append(renders, r), append(cpus, c)
	}
	say("worker processes (serve + N `simvid work --concurrency=1`, real redis-server; memory: sum of the processes' peaks):")
	for _, line := range Table(runs...) {
		say(line)
	}
	for i, n := range []int{1, 2, 4} {
		say(fmt.Sprintf("%d worker(s): render %.2f s, speedup %.2fx over 1 worker", n, renders[i], renders[0]/renders[i]))
	}
	ceiling, why := workersCeiling(renders[0], cpus[0])
	say(why)
	targets = append(targets, Target{Name: "two workers / one worker, render step", Measured: renders[0] / renders[1], Limit: 1.6, Unit: "x",
		Note: fmt.Sprintf("the cores allow at most %.2fx", ceiling)})
}

// setup checks the tools, builds (or takes) the binary and makes the corpus; it returns the
// module root, the corpus folder, the binary, the 12 pictures and the music.
//
// Environment: SIMVID_BENCH_CORPUS (default .bench/corpus of the module), SIMVID_BENCH_BIN (a
// binary to measure instead of building tmp/simvid from the module).
func setup(ctx context.Context, t *testing.T) (root, corpus, bin string, pics []string, music string) {
	t.Helper()
	for _, tool := range []string{"ffmpeg", "ffprobe", "go", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the benchmark needs %s: %v (run scripts/install-deps.sh bench)", tool, err)
		}
	}
	root, err := testutil.ModuleRoot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	logw := testWriter{t}
	bin = os.Getenv("SIMVID_BENCH_BIN") // a prebuilt binary, e.g. a release build
	if bin == "" {
		if bin, err = testutil.BuildBinary(ctx, root, filepath.Join("tmp", "simvid"), logw); err != nil {
			t.Fatal(err)
		}
	}
	corpus = os.Getenv("SIMVID_BENCH_CORPUS")
	if corpus == "" {
		corpus = filepath.Join(root, ".bench", "corpus")
	}
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "scripts", "corpus.sh"), corpus)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/corpus.sh %s: %v\n%s", corpus, err, out)
	}
	pics, err = filepath.Glob(filepath.Join(corpus, "images", "[0-9][0-9].*"))
	if err != nil || len(pics) != 12 {
		t.Fatalf("corpus %s: want the 12 numbered pictures, found %d (%v)", corpus, len(pics), err)
	}
	music = filepath.Join(corpus, "music.mp3")
	return root, corpus, bin, pics, music
}

// testWriter sends a child's output to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", p)
	return len(p), nil
}

// startLoggedAll starts a fresh `simvid all` on work/data, logging to work/simvid.log, and
// stops it when the test ends, failing the test if it does not stop cleanly.
func startLoggedAll(ctx context.Context, t *testing.T, bin, work string) (*Server, string) {
	t.Helper()
	srv, logPath, stop := startLogged(ctx, t, bin, work)
	t.Cleanup(stop)
	return srv, logPath
}

// startLogged starts a fresh `simvid all` on dir/data with extra flags, logging to
// dir/simvid.log; stop stops it, failing the test if it does not stop cleanly.
// SIMVID_BENCH_LOG=FILE logs at debug level (every ffmpeg with its time) and keeps the log
// there after the stop.
func startLogged(ctx context.Context, t *testing.T, bin, dir string, extra ...string) (srv *Server, logPath string, stop func()) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	logPath = filepath.Join(dir, "simvid.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	keep := os.Getenv("SIMVID_BENCH_LOG")
	if keep != "" && !slices.Contains(extra, "--log-level") {
		extra = append(extra, "--log-level", "debug")
	}
	srv, err = StartAll(ctx, bin, filepath.Join(dir, "data"), logFile, 2*time.Minute, extra...)
	if err != nil {
		_ = logFile.Close()
		t.Fatalf("%v\n%s", err, tail(logPath))
	}
	return srv, logPath, func() {
		defer logFile.Close()
		if err := srv.Stop(30 * time.Second); err != nil {
			t.Errorf("simvid in %s did not stop cleanly: %v\n%s", dir, err, tail(logPath))
		}
		if keep != "" { // to read after the run
			if b, err := os.ReadFile(logPath); err == nil {
				_ = os.WriteFile(keep, b, 0o644)
			}
		}
	}
}

// sayer prints a line of figures to the test log and to standard output.
func sayer(t *testing.T) func(string) {
	return func(s string) { t.Log(s); fmt.Println(s) }
}
