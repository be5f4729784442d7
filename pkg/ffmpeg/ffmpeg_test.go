package ffmpeg

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
)

func newRunner(t *testing.T) *Runner {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("SKIPPED LOUDLY: ffmpeg is not installed; `make test` installs it")
	}
	return New("", "", zaptest.NewLogger(t))
}

func TestCapabilities(t *testing.T) {
	r := newRunner(t)
	c, err := r.Capabilities(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Version == "" || !c.H264 || !c.AAC {
		t.Fatalf("caps = %+v", c)
	}
	for _, want := range []string{"fade", "wipeleft", "slideleft", "dissolve"} {
		if !slices.Contains(c.Transitions, want) {
			t.Errorf("transition %q missing from %v", want, c.Transitions)
		}
	}
	if slices.Contains(c.Transitions, "custom") || slices.Contains(c.Transitions, "duration") {
		t.Errorf("transitions hold a non-transition: %v", c.Transitions)
	}
}

// simvid render asks ffmpeg once, not three times, for what Capabilities says of its version
// (a cache key) and transitions, and hears the same.
func TestRenderCaps(t *testing.T) {
	r := newRunner(t)
	c, err := r.RenderCaps(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if runs := r.Usage().Snapshot(); len(runs) != 1 || runs[0].Kind != KindCaps || runs[0].Runs != 1 {
		t.Errorf("runs = %+v, want one caps run", runs)
	}
	// What ffmpeg says asked one thing at a time: the version every cache key holds stays the same.
	asked := newRunner(t)
	ver, err := asked.output(context.Background(), asked.ffmpeg, []string{"-hide_banner", "-version"})
	if err != nil {
		t.Fatal(err)
	}
	help, err := asked.output(context.Background(), asked.ffmpeg, []string{"-hide_banner", "-h", "filter=xfade"})
	if err != nil {
		t.Fatal(err)
	}
	if v, tr := parseVersion(ver), parseTransitions(help); c.Version == "" || c.Version != v || !slices.Equal(c.Transitions, tr) {
		t.Errorf("RenderCaps = %q %v, asked apart = %q %v", c.Version, c.Transitions, v, tr)
	}
}

func TestRunProgressAndProbe(t *testing.T) {
	r := newRunner(t)
	out := filepath.Join(t.TempDir(), "o.mp4")
	var last atomic.Int64
	err := r.Run(context.Background(), []string{"-f", "lavfi", "-i", "testsrc=size=160x120:rate=30:duration=2",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", out}, func(f int64) { last.Store(f) })
	if err != nil {
		t.Fatal(err)
	}
	if last.Load() != 60 {
		t.Errorf("last progress = %d frames, want 60", last.Load())
	}
	p, err := r.ProbeFile(context.Background(), out, 10*time.Second, true)
	if err != nil {
		t.Fatal(err)
	}
	v := p.Video()
	if v == nil || v.Width != 160 || v.Height != 120 || v.Frames() != 60 || v.PixFmt != "yuv420p" {
		t.Fatalf("probe = %+v", v)
	}
}

func TestRunErrorExplained(t *testing.T) {
	r := newRunner(t)
	bad := filepath.Join(t.TempDir(), "bad.jpg")
	if err := exec.Command("sh", "-c", "echo not an image > "+bad).Run(); err != nil {
		t.Fatal(err)
	}
	err := r.Run(context.Background(), []string{"-i", bad, "-f", "null", "-"}, nil)
	var re *RunError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want RunError", err)
	}
	if re.Message == "" || strings.Contains(re.Message, "/") {
		t.Errorf("message %q should be words without paths", re.Message)
	}
}

func TestCancelKillsProcessGroup(t *testing.T) {
	r := newRunner(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- r.Run(ctx, []string{"-re", "-f", "lavfi", "-i", "testsrc=rate=30:duration=60", "-f", "null", "-"}, nil)
	}()
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if time.Since(start) > 2*time.Second {
			t.Errorf("cancel took %v", time.Since(start))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ffmpeg still running 5 s after cancel")
	}
}
