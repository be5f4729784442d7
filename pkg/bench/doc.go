// Package bench measures simvid against the hand-written ffmpeg reference of
// scripts/reference.sh (wall time and peak memory of each process tree); its helpers (free
// port, process-tree RSS sampler, server process, API client) serve the e2e and scale tests.
//
// The benchmark itself is a test behind the "bench" build tag:
//
//	make bench   (or: go test -tags bench -run TestBench -v -timeout 60m ./pkg/bench)
//
// # Where the time goes
//
// Every ffmpeg and ffprobe simvid starts is counted by kind (ffmpeg.Kind: still, thumbnail,
// keyframes, segment, music_pieces, ...) with its own CPU (user+sys from its rusage) and
// wall time; a server exports the totals as simvid_ffmpeg_seconds_total{kind,clock} and
// simvid_ffmpeg_runs_total{kind}, the queue hand-offs as simvid_queue_wait_seconds{job},
// and its own CPU as process_cpu_seconds_total. ScrapeUsage reads them (and the CPU of the
// whole process tree from /proc) while the server runs; Usage.Sub leaves what one phase
// used, and PhaseTable prints the phases next to the reference's wall and CPU (Reference),
// with the kinds by phase, the hand-offs and an estimate of process start-ups
// (MeasureStartup). ReadMachine names the machine (CPU model, the flags x264 cares about,
// cores, memory, load average): print it beside every ratio.
//
// # Targets
//
// Issue 20's targets are rows of one table. A bench test that measures one adds a Target and
// prints the rows with Targets:
//
//	rows := []bench.Target{{Name: "long show one-picture edit", Measured: sec, Limit: 2,
//		Unit: " s", LessIsBetter: true}}
//	for _, line := range bench.Targets(rows...) { fmt.Println(line) }
//
// Measured is math.NaN() for a target another test measures (its Note says which); Met
// compares Measured with Limit in the target's direction, and Targets prints "met", "NOT MET"
// or "not measured". SpreadOf gives the min, median and max of a ratio over repeated runs
// (TestBench repeats the reference and the cold render SIMVID_BENCH_RUNS times, default 3).
package bench
