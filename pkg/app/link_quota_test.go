package app_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/config"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestLinkFetchesMeetKeyQuota: a picture or a song fetched from a link is an upload the
// worker receives, and counts against the key's storage quota like one: a file past the
// quota fails its music or its render with the quota named, at once (not retried).
func TestLinkFetchesMeetKeyQuota(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "noise.png"), noisePicture(t), 0o644); err != nil {
		t.Fatal(err)
	}
	song := mustRead(t, testutil.Tone(t, t.TempDir(), "song.wav", 13)) // 1.1 MB
	if err := os.WriteFile(filepath.Join(dir, "song.wav"), song, 0o644); err != nil {
		t.Fatal(err)
	}
	files := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer files.Close()
	host := strings.Replace(files.URL, "127.0.0.1", "localhost", 1) // links to IP addresses are refused
	base, adm := startPrograms(t, func(cfg *config.Config) {
		cfg.RateLimits.Enabled = false
		cfg.Links.DirectMedia = true
		cfg.Links.YTDLP = "/nonexistent/yt-dlp"
		cfg.Links.AllowNetworks = []string{"127.0.0.0/8", "::1/128"}
	})
	c := adm.newKey(map[string]any{"name": "quota", "storage_bytes": 1_000_000}).as(t, base)

	r := c.json(http.MethodPost, "/api/v1/renders", map[string]any{"spec": map[string]any{
		"slides": []any{map[string]any{"url": host + "/noise.png", "duration": 1}}}})
	if r.Status != http.StatusAccepted {
		t.Fatalf("render: %d %s", r.Status, r.Body)
	}
	start := time.Now()
	m := waitRender(t, c, r.JSON(t)["id"].(string), 60*time.Second)
	t.Logf("picture link past the quota: %v after %v: %v", m["state"], time.Since(start).Round(time.Millisecond), m["error"])
	if m["state"] != "failed" || !strings.Contains(m["error"].(string), "storage quota") {
		t.Fatalf("a picture link past the key's quota: %v", m)
	}

	mp := newProject(t, c)
	if r := c.json(http.MethodPost, "/api/v1/projects/"+mp+"/music/link", map[string]any{"url": host + "/song.wav"}); r.Status != http.StatusAccepted {
		t.Fatalf("music link: %d %s", r.Status, r.Body)
	}
	music := waitMusic(t, c, mp)["music"].(map[string]any)
	t.Logf("music link past the quota: %v: %v", music["state"], music["error"])
	if music["state"] != "failed" || !strings.Contains(music["error"].(string), "storage quota") {
		t.Fatalf("a music link past the key's quota: %v", music)
	}
}
