package cmd

import (
	"fmt"
	"io"
	"syscall"
	"time"

	"github.com/simvid/simvid/pkg/ffmpeg"
)

// printTimings writes where a render's time went (render --timings): each kind of ffmpeg run
// with its processes' own CPU seconds and their wall seconds (runs overlap, so the walls add
// up to more than the render), then simvid's own CPU and the wall clock of the whole command, intake included.
func printTimings(w io.Writer, u *ffmpeg.Usage, wall time.Duration) {
	fmt.Fprintf(w, "%-14s %5s %9s %9s\n", "ffmpeg kind", "runs", "cpu s", "wall s")
	var runs int64
	var cpu, sum time.Duration
	for _, k := range u.Snapshot() {
		fmt.Fprintf(w, "%-14s %5d %9.2f %9.2f\n", k.Kind, k.Runs, k.CPU.Seconds(), k.Wall.Seconds())
		runs, cpu, sum = runs+k.Runs, cpu+k.CPU, sum+k.Wall
	}
	fmt.Fprintf(w, "%-14s %5d %9.2f %9.2f\n", "all ffmpeg", runs, cpu.Seconds(), sum.Seconds())
	var self syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &self) == nil {
		fmt.Fprintf(w, "%-14s %5s %9.2f %9s\n", "simvid (Go)", "", tvSeconds(self.Utime)+tvSeconds(self.Stime), "")
	}
	fmt.Fprintf(w, "%-14s %5s %9s %9.2f\n", "all (wall)", "", "", wall.Seconds())
}

func tvSeconds(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
