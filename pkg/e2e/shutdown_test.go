package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestSIGTERMHandsBackTheRender: SIGTERM during a render past the grace period stops
// ffmpeg, exits cleanly, and the next start finishes the render. The slides move so that
// ffmpeg is encoding frames when the signal comes (see TestRestartMidRender).
func TestSIGTERMHandsBackTheRender(t *testing.T) {
	dir := t.TempDir()
	var pics []string
	for i, c := range []string{"red", "green", "blue", "yellow"} {
		pics = append(pics, testutil.Image(t, dir, string(rune('a'+i))+".png", 1280, 720, c))
	}
	data := t.TempDir()
	s := startAll(t, data, "SIMVID_JOBS_SHUTDOWN_GRACE=500ms")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c := bench.NewClient(s.URL)
	p, err := c.CreateProject(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PatchSettings(ctx, p.ID, map[string]any{"output": map[string]any{"resolution": "1280x720"},
		"defaults": map[string]any{"duration": 5, "motion": "zoom-in"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadImages(ctx, p.ID, pics...); err != nil {
		t.Fatal(err)
	}
	r, err := c.StartRender(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitFrames(ctx, r.ID, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_ = syscall.Kill(s.Pid(), syscall.SIGTERM)
	select {
	case <-s.Done():
	case <-time.After(15 * time.Second):
		t.Fatal("simvid did not exit within 15 s of SIGTERM")
	}
	t.Logf("exited %v after SIGTERM: %v", time.Since(start).Round(time.Millisecond), s.Err())
	if s.Err() != nil {
		t.Fatalf("exit after SIGTERM: %v", s.Err())
	}
	if out, _ := exec.Command("pgrep", "-af", "ffmpeg").Output(); strings.Contains(string(out), data) {
		t.Fatalf("ffmpeg left running:\n%s", out)
	}
	s2 := startAll(t, data)
	done, err := bench.NewClient(s2.URL).WaitRender(ctx, r.ID, 200*time.Millisecond)
	if err != nil || done.State != "done" {
		t.Fatalf("render after restart: %+v %v", done, err)
	}
	out := filepath.Join(t.TempDir(), "o.mp4")
	if _, err := bench.NewClient(s2.URL).Download(ctx, r.ID, out); err != nil {
		t.Fatal(err)
	}
	if v := testutil.Probe(t, out).Video(); v == nil || v.Frames() != 600 {
		t.Fatalf("video: %+v", v)
	}
}
