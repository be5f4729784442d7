package app_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/redisx/redistest"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestMusicMixPreparedBeforeRender: the audio queue prepares a project's music mix when its
// music becomes ready and again after a music-only change, so the render that follows finds
// the mix in the cache and encodes no music. serve, an audio-only worker and a video-only
// worker share a real redis-server, as `simvid serve` and `simvid work --queue=...` do. A
// settings change on a project without music queues no mix at all.
func TestMusicMixPreparedBeforeRender(t *testing.T) {
	url := redistest.Start(t)
	cfg := testConfig(t, url)
	c := &client{t: t, base: startApp(t, cfg, app.Roles{Serve: true})}
	for _, q := range []string{"audio", "video"} {
		wcfg := *cfg
		wcfg.Addr = ""
		startApp(t, &wcfg, app.Roles{Queues: map[string]int{q: 1}})
	}
	conn, err := redis.DialURL(url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	dir := t.TempDir()
	pics := []string{testutil.Image(t, dir, "a.jpg", 320, 240, "red"), testutil.Image(t, dir, "b.png", 320, 240, "blue")}
	settings := map[string]any{"output": map[string]any{"resolution": "640x480"}, "defaults": map[string]any{"duration": 1}}
	newShow := func() string {
		pid := c.json(http.MethodPost, "/api/v1/projects", settings).JSON(t)["id"].(string)
		if r := c.upload("/api/v1/projects/"+pid+"/images", "images", pics, nil); r.Status != http.StatusOK {
			t.Fatalf("upload: %s", r.Body)
		}
		return pid
	}
	patch := func(pid string, body map[string]any) {
		t.Helper()
		if r := c.json(http.MethodPatch, "/api/v1/projects/"+pid+"/settings", body); r.Status != http.StatusOK {
			t.Fatalf("settings: %d %s", r.Status, r.Body)
		}
	}
	render := func(pid string) string {
		t.Helper()
		rid := c.json(http.MethodPost, "/api/v1/projects/"+pid+"/renders", nil).JSON(t)["id"].(string)
		if st := waitRender(t, c, rid, time.Minute); st["state"] != "done" {
			t.Fatalf("render: %v", st)
		}
		out := filepath.Join(dir, rid+".mp4")
		_ = os.WriteFile(out, c.do(http.MethodGet, "/api/v1/renders/"+rid+"/video", "", nil).Body, 0o644)
		return out
	}
	mixes := func() map[string]os.FileInfo {
		m := map[string]os.FileInfo{}
		paths, _ := filepath.Glob(filepath.Join(cfg.DataDir, "cache", "audio", "*.m4a"))
		for _, p := range paths {
			m[p], _ = os.Stat(p)
		}
		return m
	}
	waitMixes := func(n int) map[string]os.FileInfo {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if m := mixes(); len(m) >= n {
				return m
			}
		}
		t.Fatalf("%d music mixes in the cache, want %d", len(mixes()), n)
		return nil
	}
	queued := func(pid string) bool { // a mix job for pid waits (scheduled) or is in the queue
		t.Helper()
		var all []string
		for _, cmd := range [][]any{{"ZRANGE", "simvid:audio:scheduled", 0, -1}, {"LRANGE", "simvid:audio:jobs:mix_music", 0, -1}} {
			jobs, err := redis.Strings(conn.Do(cmd[0].(string), cmd[1:]...))
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, jobs...)
		}
		return strings.Contains(strings.Join(all, "\n"), pid)
	}

	// Without music: a settings change queues nothing, and the render has no sound.
	silent := newShow()
	patch(silent, map[string]any{"transition": map[string]any{"name": "fade", "duration": 0.4}})
	if queued(silent) {
		t.Fatal("a settings change of a project without music queued a music mix")
	}
	checkVideo(t, render(silent), 640, 480, 60, false)
	if m := mixes(); len(m) != 0 {
		t.Fatalf("music mixes made for a project without music: %v", m)
	}

	// With music: its mix is made once the music is ready, before any render.
	pid := newShow()
	if r := c.upload("/api/v1/projects/"+pid+"/music", "audio", []string{testutil.Tone(t, dir, "song.mp3", 3)}, nil); r.Status != http.StatusCreated {
		t.Fatalf("music: %d %s", r.Status, r.Body)
	}
	if m := waitMusic(t, c, pid)["music"].(map[string]any); m["state"] != "ready" {
		t.Fatalf("music: %v", m)
	}
	first := waitMixes(1)

	// A music-only change: a new mix is made before the render, which uses it as it is.
	patch(pid, map[string]any{"music": map[string]any{"fade_in": 0.5}})
	if !queued(pid) {
		t.Fatal("a music change queued no mix")
	}
	ready := waitMixes(2)
	if len(ready) != 2 {
		t.Fatalf("music mixes %v, want the first and the faded one", ready)
	}
	out := render(pid)
	after := mixes()
	if len(after) != 2 {
		t.Fatalf("the render made a mix of its own: %v", after)
	}
	for p, fi := range ready {
		// A mix encoded again would be a new file renamed into place.
		if !os.SameFile(fi, after[p]) {
			t.Fatalf("mix %s was made again by the render", p)
		}
		if _, old := first[p]; !old {
			t.Logf("mix prepared before the render: %s", filepath.Base(p))
		}
	}
	checkVideo(t, out, 640, 480, 60, true)
}
