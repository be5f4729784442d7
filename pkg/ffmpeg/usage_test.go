package ffmpeg

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// A run's own CPU and wall time land under the kind it was given, in the Usage its runner
// shares with every copy; ffprobe runs without a kind count as probes.
func TestUsageByKind(t *testing.T) {
	r := newRunner(t)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "o.mp4")
	start := time.Now()
	if err := r.As(KindSegment).Run(ctx, []string{"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=1",
		"-c:v", "libx264", "-preset", "medium", "-threads", "1", "-pix_fmt", "yuv420p", out}, nil); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if _, err := r.ProbeFile(ctx, out, 10*time.Second, false); err != nil {
		t.Fatal(err)
	}
	got := map[Kind]KindUsage{}
	for _, k := range r.Usage().Snapshot() {
		got[k.Kind] = k.KindUsage
	}
	seg := got[KindSegment]
	if seg.Runs != 1 || seg.CPU <= 0 || seg.Wall <= 0 || seg.Wall > took {
		t.Errorf("segment usage = %+v, want 1 run with CPU > 0 and wall in (0, %s]", seg, took)
	}
	if p := got[KindProbe]; p.Runs != 1 || p.Wall <= 0 {
		t.Errorf("probe usage = %+v, want 1 run", p)
	}
	if len(got) != 2 {
		t.Errorf("usage = %+v, want only segment and probe", got)
	}
	t.Logf("segment: %d run, cpu %s, wall %s", seg.Runs, seg.CPU, seg.Wall)
}
