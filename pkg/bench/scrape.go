package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/simvid/simvid/pkg/proc"
)

// ToolTime is what the ffmpeg and ffprobe runs of one kind took (simvid_ffmpeg_*_total).
type ToolTime struct {
	Runs      float64
	CPU, Wall float64 // seconds; CPU is the processes' own user+sys
}

// Usage is where a simvid process's time went so far, read from its /metrics and /proc.
type Usage struct {
	Tools    map[string]ToolTime // by kind
	GoCPU    float64             // process_cpu_seconds_total: simvid's own CPU (Go, in-process Redis)
	TreeCPU  float64             // the process and every child it reaped or runs (/proc stat)
	Waits    map[string]float64  // simvid_queue_wait_seconds sum, by job
	WaitRuns map[string]float64  // its count, by job
}

// ScrapeUsage reads the usage of the simvid process pid whose metrics listener is at
// metricsURL (http://HOST:PORT/metrics).
func ScrapeUsage(ctx context.Context, metricsURL string, pid int) (*Usage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metricsURL, nil)
	if err != nil {
		return nil, fmt.Errorf("bench: metrics: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bench: metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("bench: GET %s: %s", metricsURL, resp.Status)
	}
	u := parseUsage(resp.Body)
	u.TreeCPU = TreeCPU(pid)
	return u, nil
}

// ReadMetrics reads the Prometheus text format: every sample's series (`name{labels}`, as
// written) and value, comments and unparsable lines left out.
func ReadMetrics(r io.Reader) (map[string]float64, error) {
	out := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out, sc.Err()
}

// parseUsage reads the series it needs from the Prometheus text format.
func parseUsage(r io.Reader) *Usage {
	u := &Usage{Tools: map[string]ToolTime{}, Waits: map[string]float64{}, WaitRuns: map[string]float64{}}
	series, _ := ReadMetrics(r)
	for s, v := range series {
		name, labels := splitSeries(s)
		switch name {
		case "process_cpu_seconds_total":
			u.GoCPU = v
		case "simvid_ffmpeg_seconds_total":
			t := u.Tools[labels["kind"]]
			if labels["clock"] == "cpu" {
				t.CPU = v
			} else {
				t.Wall = v
			}
			u.Tools[labels["kind"]] = t
		case "simvid_ffmpeg_runs_total":
			t := u.Tools[labels["kind"]]
			t.Runs = v
			u.Tools[labels["kind"]] = t
		case "simvid_queue_wait_seconds_sum":
			u.Waits[labels["job"]] = v
		case "simvid_queue_wait_seconds_count":
			u.WaitRuns[labels["job"]] = v
		}
	}
	return u
}

// splitSeries splits `name{a="x",b="y"}` (label values without commas or quotes, as
// simvid's are) into its name and labels.
func splitSeries(s string) (string, map[string]string) {
	name, rest, ok := strings.Cut(s, "{")
	labels := map[string]string{}
	if !ok {
		return s, labels
	}
	for _, kv := range strings.Split(strings.TrimSuffix(rest, "}"), ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			labels[k] = strings.Trim(v, `"`)
		}
	}
	return name, labels
}

// Sub returns u minus an earlier reading of the same process: what happened between them.
func (u *Usage) Sub(prev *Usage) *Usage {
	d := &Usage{Tools: map[string]ToolTime{}, Waits: map[string]float64{}, WaitRuns: map[string]float64{},
		GoCPU: u.GoCPU - prev.GoCPU, TreeCPU: u.TreeCPU - prev.TreeCPU}
	for k, t := range u.Tools {
		p := prev.Tools[k]
		d.Tools[k] = ToolTime{Runs: t.Runs - p.Runs, CPU: t.CPU - p.CPU, Wall: t.Wall - p.Wall}
	}
	for k, v := range u.Waits {
		d.Waits[k] = v - prev.Waits[k]
		d.WaitRuns[k] = u.WaitRuns[k] - prev.WaitRuns[k]
	}
	return d
}

// ToolCPU is the CPU seconds of every ffmpeg and ffprobe run, all kinds.
func (u *Usage) ToolCPU() float64 {
	var s float64
	for _, t := range u.Tools {
		s += t.CPU
	}
	return s
}

// ToolRuns is the number of ffmpeg and ffprobe runs, all kinds.
func (u *Usage) ToolRuns() float64 {
	var s float64
	for _, t := range u.Tools {
		s += t.Runs
	}
	return s
}

// Kinds returns the kinds with any run, by name.
func (u *Usage) Kinds() []string {
	var ks []string
	for k, t := range u.Tools {
		if t.Runs != 0 {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	return ks
}

// TreeCPU returns the CPU seconds (user+sys) of pid, of the children it has reaped and of
// its descendants still running, from /proc (fields 14 to 17 of stat). 0 once pid is gone.
func TreeCPU(pid int) float64 {
	var ticks int
	for i, p := range Tree(pid) {
		stat := filepath.Join("/proc", strconv.Itoa(p), "stat")
		last := 15 // utime, stime
		if i == 0 {
			last = 17 // and cutime, cstime: every child it reaped
		}
		for f := 14; f <= last; f++ {
			if v, ok := proc.StatField(stat, f); ok {
				ticks += v
			}
		}
	}
	return float64(ticks) / clockTicks
}

// OwnCPU returns the CPU seconds (user+sys) of process pid itself, its children's left out.
func OwnCPU(pid int) float64 {
	stat := filepath.Join("/proc", strconv.Itoa(pid), "stat")
	u, _ := proc.StatField(stat, 14)
	s, _ := proc.StatField(stat, 15)
	return float64(u+s) / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc's CPU times: 100 on every Linux simvid runs on.
const clockTicks = 100
