package app_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/testutil"
)

// Oversized bodies and a nearly full disk are refused with JSON and change nothing.
func TestBodyTooLargeAndDiskFull(t *testing.T) {
	cfg := testConfig(t, "")
	base := startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: true})
	c := &client{t: t, base: base}
	pid := c.json(http.MethodPost, "/api/v1/projects", nil).JSON(t)["id"].(string)
	big := `{"output":{"resolution":"` + strings.Repeat("x", 2<<20) + `"}}`
	wantError(t, c.do(http.MethodPatch, "/api/v1/projects/"+pid+"/settings", "application/json", bytes.NewReader([]byte(big))),
		http.StatusRequestEntityTooLarge, "too_large")

	cfg2 := testConfig(t, "")
	cfg2.Limits.MinFreeDisk = 1 << 62 // no disk has that much free
	c2 := &client{t: t, base: startApp(t, cfg2, app.Roles{Serve: true, EmbeddedRedis: true})}
	pid2 := c2.json(http.MethodPost, "/api/v1/projects", nil).JSON(t)["id"].(string)
	pic := testutil.Image(t, t.TempDir(), "a.png", 64, 48, "red")
	msg := wantError(t, c2.upload("/api/v1/projects/"+pid2+"/images", "images", []string{pic}, nil), http.StatusInsufficientStorage, "insufficient_storage")
	if !strings.Contains(msg, "storage") {
		t.Errorf("message %q", msg)
	}
	if n := len(c2.do(http.MethodGet, "/api/v1/projects/"+pid2, "", nil).JSON(t)["slides"].([]any)); n != 0 {
		t.Fatalf("a refused upload left %d slides", n)
	}
}

// A render whose input file vanished on the server is retried up to the attempt limit, then
// fails with words a person understands.
func TestRetriesThenFails(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.Jobs.MaxAttempts = 3
	base := startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: true})
	c := &client{t: t, base: base}
	pid := c.json(http.MethodPost, "/api/v1/projects", map[string]any{"output": map[string]any{"resolution": "640x480"}}).JSON(t)["id"].(string)
	pic := testutil.Image(t, t.TempDir(), "a.png", 64, 48, "red")
	up := c.upload("/api/v1/projects/"+pid+"/images", "images", []string{pic}, nil)
	asset := up.JSON(t)["results"].([]any)[0].(map[string]any)["slide"].(map[string]any)["asset"].(string)
	if err := os.Remove(filepath.Join(cfg.DataDir, "projects", pid, "originals", asset)); err != nil {
		t.Fatalf("remove the original (layout changed?): %v", err)
	}
	stills, _ := filepath.Glob(filepath.Join(cfg.DataDir, "cache", "stills", "*"))
	for _, s := range stills { // the still prepared at upload would let the render succeed
		_ = os.Remove(s)
	}
	rid := c.json(http.MethodPost, "/api/v1/projects/"+pid+"/renders", nil).JSON(t)["id"].(string)
	deadline := time.Now().Add(30 * time.Second)
	var st map[string]any
	for time.Now().Before(deadline) {
		st = c.do(http.MethodGet, "/api/v1/renders/"+rid, "", nil).JSON(t)
		if st["state"] == "failed" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if st["state"] != "failed" || st["attempts"].(float64) != 3 {
		t.Fatalf("render: %v", st)
	}
	if e := st["error"].(string); e == "" || strings.Contains(e, "/") {
		t.Fatalf("error %q should be words without paths", e)
	}
}
