//go:build scale

package scaletest

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/simvid/simvid/pkg/bench"
)

// memPeaks are the largest memory figures of the serve and work processes, in bytes.
type memPeaks struct {
	serveSelf          int64 // the serve process alone, RSS
	serveRSS, servePSS int64 // serve and its intake children
	workRSS, workPSS   int64 // work and its ffmpeg
}

// report prints the figures of a run.
func report(w io.Writer, sh shape, results []userResult, usersTook time.Duration, rec *bench.Recorder, polls pollResult,
	prec *bench.Recorder, mem memPeaks, stopTook time.Duration, users, pollers int, store *storeBytes, dirs []string) {
	var waits, turns []time.Duration
	var first, lastSub, lastFin time.Time
	correct, failed := 0, 0
	for _, r := range results {
		if r.Err != nil {
			failed++
		}
		if r.Correct {
			correct++
		}
		if r.Submitted.IsZero() {
			continue
		}
		if first.IsZero() || r.Submitted.Before(first) {
			first = r.Submitted
		}
		if r.Submitted.After(lastSub) {
			lastSub = r.Submitted
		}
		if r.Finished.After(lastFin) {
			lastFin = r.Finished
		}
		if r.Render.StartedAt != nil {
			waits = append(waits, r.Render.StartedAt.Sub(r.Render.CreatedAt))
		}
		if r.Render.FinishedAt != nil {
			turns = append(turns, r.Render.FinishedAt.Sub(r.Render.CreatedAt))
		}
	}
	slices.Sort(waits)
	slices.Sort(turns)
	span := lastFin.Sub(first)
	perMin := 0.0
	if span > 0 {
		perMin = float64(correct) / span.Minutes()
	}
	fmt.Fprintf(w, "\n===== simvid scale test (%s shape): %s =====\n", sh.Name, sh)
	fmt.Fprintf(w, "users: %d (10 pictures, music, 1280x720, 2 s slides, 0.5 s fades: %d frames each), finished in %s\n",
		users, wantFrames, usersTook.Round(time.Second))
	fmt.Fprintf(w, "renders completed and correct: %d of %d (failed users: %d)\n", correct, users, failed)
	fmt.Fprintf(w, "renders per minute: %.1f (first submitted to last finished: %s)\n", perMin, span.Round(time.Second))
	fmt.Fprintf(w, "queue wait p50/p95/max: %s / %s / %s\n", round(bench.Quantile(waits, .5)), round(bench.Quantile(waits, .95)), round(last(waits)))
	fmt.Fprintf(w, "render turnaround (created to finished) p50/p95/max: %s / %s / %s\n",
		round(bench.Quantile(turns, .5)), round(bench.Quantile(turns, .95)), round(last(turns)))
	fmt.Fprintf(w, "time to drain (last render submitted to last finished): %s\n", lastFin.Sub(lastSub).Round(100*time.Millisecond))
	fmt.Fprintf(w, "\nrequests of the users, through nginx:\n")
	rec.Print(w)
	fmt.Fprintf(w, "\npollers: %d, on %d fresh 854x480 renders: %d streams followed to the end, %d renders correct, %s, errors %d\n",
		pollers, len(polls.Renders), polls.Streams, polls.Correct, polls.Took.Round(time.Second), len(polls.Errors))
	fmt.Fprintf(w, "redis connected clients at most, with every stream open: %d\n", polls.RedisClients)
	prec.Print(w)
	// Both serve figures, because they answer different questions: the process itself is
	// what its Go heap and connections cost; its tree adds the ffprobe and ffmpeg that take
	// uploaded pictures in (at most limits.intake_concurrency at once). Summed RSS counts the
	// libraries they share (35 MB for Debian's ffmpeg) once per process; PSS counts every
	// page once, shared pages in proportion, which is what the tree costs the machine.
	if store != nil {
		printStore(w, *store)
	}
	if len(dirs) > 0 {
		fmt.Fprintf(w, "\ndata directories after the run (tmp/ left out), one per process, shared with none:\n")
		for _, l := range dirs {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
	fmt.Fprintf(w, "\npeak memory (largest of the %d serve and of the %d work processes, sampled every 100 ms):\n", sh.Serves, sh.Works)
	fmt.Fprintf(w, "  serve process alone (simvid serve):                      %4d MB RSS (target < 150)\n", mem.serveSelf>>20)
	fmt.Fprintf(w, "  serve process tree (simvid + its intake ffprobe/ffmpeg): %4d MB RSS summed, %4d MB PSS (< 150 too, if the target counts them)\n", mem.serveRSS>>20, mem.servePSS>>20)
	fmt.Fprintf(w, "  work process tree (simvid + its ffmpeg):                 %4d MB RSS summed, %4d MB PSS (target < 500)\n", mem.workRSS>>20, mem.workPSS>>20)
	fmt.Fprintf(w, "stopping %d serve + %d work after the load: %s\n", sh.Serves, sh.Works, stopTook.Round(10*time.Millisecond))
	fmt.Fprintf(w, "=====\n\n")
}

// printStore prints the bytes moved to and from the object store, in all and per render.
func printStore(w io.Writer, s storeBytes) {
	per := func(n int64) string {
		if s.Renders == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f MB", float64(n)/float64(s.Renders)/1e6)
	}
	mb := func(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
	fmt.Fprintf(w, "\nobject store traffic (simvid_storage_bytes_total of every process), over %d renders done (users' and pollers'):\n", s.Renders)
	fmt.Fprintf(w, "  %-22s %12s %12s %16s %16s\n", "", "up (to)", "down (from)", "up per render", "down per render")
	fmt.Fprintf(w, "  %-22s %12s %12s %16s %16s\n", "serve processes", mb(s.ServeUp), mb(s.ServeDown), per(s.ServeUp), per(s.ServeDown))
	fmt.Fprintf(w, "  %-22s %12s %12s %16s %16s\n", "work processes", mb(s.WorkUp), mb(s.WorkDown), per(s.WorkUp), per(s.WorkDown))
	up, down := s.ServeUp+s.WorkUp, s.ServeDown+s.WorkDown
	fmt.Fprintf(w, "  %-22s %12s %12s %16s %16s\n", "all", mb(up), mb(down), per(up), per(down))
}

func last(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[len(d)-1]
}

func round(d time.Duration) string { return d.Round(10 * time.Millisecond).String() }
