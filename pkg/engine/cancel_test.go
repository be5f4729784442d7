package engine

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestRunCancel: cancelling mid-render returns at once and leaves no ffmpeg running.
func TestRunCancel(t *testing.T) {
	k := newKit(t)
	s := k.show("1920x1080", "high")
	for _, g := range []string{"testsrc=s=640x480", "testsrc2=s=480x640", "mandelbrot=s=640x480"} {
		s.slide(k.picture(strings.Split(g, "=")[0]+".png", g), 30, "", 1)
	}
	s.plan()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rendering := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		_, err := k.eng.Run(ctx, s.job, func(p Progress) {
			if p.Stage == StageRendering && p.FramesDone > 0 {
				select {
				case rendering <- struct{}{}:
				default:
				}
			}
		})
		done <- err
	}()
	select {
	case <-rendering:
	case err := <-done:
		t.Fatalf("the render ended before it could be cancelled: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("no rendering progress in 30 s")
	}
	if out, _ := exec.Command("pgrep", "-f", k.dir).Output(); len(out) == 0 {
		t.Fatal("no ffmpeg seen running before the cancel: the test proves nothing")
	}
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled in the chain", err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("Run returned %s after the cancel", took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return within 5 s of the cancel")
	}
	if out, _ := exec.Command("pgrep", "-af", k.dir).Output(); len(out) > 0 {
		t.Errorf("ffmpeg still running after the cancel:\n%s", out)
	}
	if exists(s.job.Output) {
		t.Error("a cancelled render left an output")
	}
}
