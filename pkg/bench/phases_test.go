package bench

import (
	"context"
	"math"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/metrics"
)

// ScrapeUsage reads simvid's own /metrics: ffmpeg's seconds and runs by kind, the queue
// hand-offs and the Go side's CPU; Sub leaves what happened between two readings.
func TestScrapeUsage(t *testing.T) {
	m := metrics.New()
	kinds := []metrics.ToolKind{{Kind: "still", Runs: 2, CPU: 3 * time.Second, Wall: 2 * time.Second}}
	m.AddToolUsage(func() []metrics.ToolKind { return kinds })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := "http://" + m.ServeOn(ctx, ln) + "/metrics"
	before, err := ScrapeUsage(ctx, url, os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	kinds = []metrics.ToolKind{{Kind: "still", Runs: 3, CPU: 4500 * time.Millisecond, Wall: 3 * time.Second},
		{Kind: "segment", Runs: 1, CPU: time.Second, Wall: 500 * time.Millisecond}}
	m.QueueWaited("segment", 250*time.Millisecond)
	after, err := ScrapeUsage(ctx, url, os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if after.GoCPU <= 0 || after.TreeCPU <= 0 {
		t.Errorf("go cpu %v, tree cpu %v: want both > 0", after.GoCPU, after.TreeCPU)
	}
	d := after.Sub(before)
	if got := d.Tools["still"]; got != (ToolTime{Runs: 1, CPU: 1.5, Wall: 1}) {
		t.Errorf("still between the readings = %+v, want 1 run, 1.5 s cpu, 1 s wall", got)
	}
	if got := d.Tools["segment"]; got != (ToolTime{Runs: 1, CPU: 1, Wall: 0.5}) {
		t.Errorf("segment = %+v", got)
	}
	if d.ToolCPU() != 2.5 || d.ToolRuns() != 2 || d.Waits["segment"] != 0.25 || d.WaitRuns["segment"] != 1 {
		t.Errorf("difference = %+v", d)
	}
	table := strings.Join(PhaseTable([]Phase{{Name: "render", Wall: 2, Usage: d}}, Reference{Wall: 10, CPU: 20}, Startup{Wall: 0.04, CPU: 0.03}), "\n")
	for _, want := range []string{"segment", "still", "cold / reference", "segment 1 job(s) waited 0.25 s", "2 runs x 40 ms wall"} {
		if !strings.Contains(table, want) {
			t.Errorf("phase table lacks %q:\n%s", want, table)
		}
	}
}

// A target is met on the right side of its limit, and a row not measured says so.
func TestTargets(t *testing.T) {
	lines := Targets(
		Target{Name: "cold", Measured: 0.30, Limit: 0.35, Unit: "x", LessIsBetter: true},
		Target{Name: "slow", Measured: 0.40, Limit: 0.35, Unit: "x", LessIsBetter: true},
		Target{Name: "workers", Measured: 1.2, Limit: 1.6, Unit: "x"},
		Target{Name: "long", Measured: math.NaN(), Limit: 2, Unit: " s", LessIsBetter: true, Note: "elsewhere"},
	)
	want := []string{"met", "NOT MET", "NOT MET", "not measured (elsewhere)"}
	for i, w := range want {
		if !strings.HasSuffix(lines[i+1], w) {
			t.Errorf("row %d = %q, want it to end %q", i, lines[i+1], w)
		}
	}
	if s := SpreadOf([]float64{3, 1, 2, 10}); s != (Spread{1, 2.5, 10}) {
		t.Errorf("spread = %+v", s)
	}
	if m := ReadMachine(); m.Cores < 1 || m.MemBytes <= 0 {
		t.Errorf("machine = %+v", m)
	}
}
