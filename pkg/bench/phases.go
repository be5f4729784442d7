package bench

import (
	"context"
	"fmt"
	"os/exec"
	"sort"
	"time"
)

// Phase is one stretch of a measured run: the bench's own wall clock over it and what the
// simvid process tree used meanwhile (a difference of two ScrapeUsage readings).
type Phase struct {
	Name  string
	Wall  float64 // seconds
	Usage *Usage
}

// Reference is the hand-written command's run: wall seconds and the CPU seconds its
// processes used (their rusage).
type Reference struct {
	Wall, CPU float64
}

// Startup is what starting one ffmpeg costs before it does any work (MeasureStartup).
type Startup struct {
	Wall, CPU float64 // seconds
}

// PhaseTable formats a run's phases, their total and the reference next to it, then the CPU
// of every kind of ffmpeg run by phase, the queue hand-offs and the cost of process start-ups.
// CPU seconds are summed over every process: on 2 cores a phase may use up to twice its wall.
func PhaseTable(phases []Phase, ref Reference, st Startup) []string {
	lines := []string{fmt.Sprintf("%-18s %8s %8s %10s %8s %9s %6s", "phase", "wall s", "cpu s", "ffmpeg cpu", "go cpu", "other cpu", "runs")}
	var wall, cpu, tool, goCPU, runs float64
	row := func(name string, w, c, t, g, n float64) string {
		return fmt.Sprintf("%-18s %8.2f %8.2f %10.2f %8.2f %9.2f %6.0f", name, w, c, t, g, c-t-g, n)
	}
	for _, p := range phases {
		u := p.Usage
		lines = append(lines, row(p.Name, p.Wall, u.TreeCPU, u.ToolCPU(), u.GoCPU, u.ToolRuns()))
		wall, cpu, tool, goCPU, runs = wall+p.Wall, cpu+u.TreeCPU, tool+u.ToolCPU(), goCPU+u.GoCPU, runs+u.ToolRuns()
	}
	lines = append(lines, row("simvid cold", wall, cpu, tool, goCPU, runs))
	lines = append(lines, fmt.Sprintf("%-18s %8.2f %8.2f %10s", "reference", ref.Wall, ref.CPU, "(1 ffmpeg)"))
	if ref.Wall > 0 && ref.CPU > 0 {
		lines = append(lines, fmt.Sprintf("%-18s %8.2f %8.2f", "cold / reference", wall/ref.Wall, cpu/ref.CPU))
	}

	// CPU by kind and phase.
	kinds := map[string]bool{}
	for _, p := range phases {
		for _, k := range p.Usage.Kinds() {
			kinds[k] = true
		}
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	head := fmt.Sprintf("%-18s %5s", "ffmpeg kind", "runs")
	for _, p := range phases {
		head += fmt.Sprintf(" %14s", p.Name+" cpu")
	}
	lines = append(lines, "", head+fmt.Sprintf(" %8s %8s %8s", "cpu s", "wall s", "cpu/wall"))
	for _, k := range names {
		var n, c, w float64
		line := ""
		for _, p := range phases {
			t := p.Usage.Tools[k]
			n, c, w = n+t.Runs, c+t.CPU, w+t.Wall
			line += fmt.Sprintf(" %14.2f", t.CPU)
		}
		ratio := 0.0
		if w > 0 {
			ratio = c / w
		}
		lines = append(lines, fmt.Sprintf("%-18s %5.0f", k, n)+line+fmt.Sprintf(" %8.2f %8.2f %8.2f", c, w, ratio))
	}
	line := fmt.Sprintf("%-18s %5s", "simvid (Go)", "")
	for _, p := range phases {
		line += fmt.Sprintf(" %14.2f", p.Usage.GoCPU)
	}
	lines = append(lines, line+fmt.Sprintf(" %8.2f", goCPU))

	// Hand-offs and start-ups.
	waits := map[string]float64{}
	counts := map[string]float64{}
	for _, p := range phases {
		for j, s := range p.Usage.Waits {
			waits[j] += s
			counts[j] += p.Usage.WaitRuns[j]
		}
	}
	hand := "queue hand-offs (queued to started):"
	for _, j := range []string{"render", "segment"} {
		hand += fmt.Sprintf(" %s %.0f job(s) waited %.2f s in all;", j, counts[j], waits[j])
	}
	lines = append(lines, "", hand)
	lines = append(lines, fmt.Sprintf("process start-ups: %.0f runs x %.0f ms wall, %.0f ms CPU each (a null ffmpeg, median) = about %.2f s wall, %.2f s CPU of the above",
		runs, st.Wall*1000, st.CPU*1000, runs*st.Wall, runs*st.CPU))
	return lines
}

// MeasureStartup runs an ffmpeg that does nothing (one tiny frame to a null output) n times
// and returns the median wall and CPU of a run: the cost of starting a process, loading its
// libraries and registering its codecs, paid again by every run simvid starts.
func MeasureStartup(ctx context.Context, ffmpegPath string, n int) (Startup, error) {
	var walls, cpus []float64
	for range n {
		cmd := exec.CommandContext(ctx, ffmpegPath, "-hide_banner", "-nostdin", "-loglevel", "error",
			"-f", "lavfi", "-i", "color=s=16x16:d=0.04", "-f", "null", "-")
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			return Startup{}, fmt.Errorf("bench: null ffmpeg: %v %s", err, out)
		}
		walls = append(walls, time.Since(start).Seconds())
		cpus = append(cpus, (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds())
	}
	return Startup{Wall: SpreadOf(walls).Median, CPU: SpreadOf(cpus).Median}, nil
}
