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

// TestRestartMidRender kills `simvid all` (SIGKILL, no goodbye) while it renders, starts it
// again on the same data directory, and sees the render finish correctly: the database is the
// truth and the reconciler re-enqueues what the lost in-memory queue held. The slides move,
// so every frame goes through the encoder and the kill lands mid-render: a still show's
// keyframes come from one fed x264 for several groups and may finish before WaitFrames sees
// a frame.
func TestRestartMidRender(t *testing.T) {
	dir := corpus(t)
	data := t.TempDir()
	s := startAll(t, data)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	c := bench.NewClient(s.URL)
	p, err := c.CreateProject(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PatchSettings(ctx, p.ID, map[string]any{
		"output":   map[string]any{"resolution": "1280x720"},
		"defaults": map[string]any{"duration": 6, "motion": "zoom-in"}, "transition": map[string]any{"name": "fade", "duration": 0.5}}); err != nil {
		t.Fatal(err)
	}
	pics := []string{"01.png", "02.png", "03.jpg", "10.jpg"}
	for i := range pics {
		pics[i] = filepath.Join(dir, "images", pics[i])
	}
	if _, err := c.UploadImages(ctx, p.ID, pics...); err != nil {
		t.Fatal(err)
	}
	r, err := c.StartRender(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := c.WaitFrames(ctx, r.ID, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("killing simvid at %d of %d frames", cur.FramesDone, cur.FramesTotal)
	_ = syscall.Kill(s.Pid(), syscall.SIGKILL)
	<-s.Done()
	time.Sleep(500 * time.Millisecond)
	if out, _ := exec.Command("pgrep", "-af", "ffmpeg").Output(); strings.Contains(string(out), data) {
		t.Fatalf("ffmpeg outlived its killed parent:\n%s", out)
	}

	s2 := startAll(t, data)
	start := time.Now()
	done, err := bench.NewClient(s2.URL).WaitRender(ctx, r.ID, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if done.State != "done" {
		t.Fatalf("after restart the render ended %s: %s", done.State, done.Error)
	}
	t.Logf("render finished %v after the restart", time.Since(start).Round(time.Millisecond))
	out := filepath.Join(t.TempDir(), "r.mp4")
	if _, err := bench.NewClient(s2.URL).Download(ctx, r.ID, out); err != nil {
		t.Fatal(err)
	}
	pr := testutil.Probe(t, out)
	if v := pr.Video(); v == nil || v.Frames() != 720 || v.Width != 1280 || v.Height != 720 {
		t.Fatalf("video after restart: %+v", v)
	}
	if e := testutil.DecodeErrors(t, out); e != "" {
		t.Fatalf("decode errors: %s", e)
	}
}
