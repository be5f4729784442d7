package app_test

import (
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/redisx/redistest"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestRateLimitAcrossServeInstances: two serve processes on one Redis enforce one limit per
// client, and a forged X-Forwarded-For from an untrusted peer changes nothing.
func TestRateLimitAcrossServeInstances(t *testing.T) {
	url := redistest.Start(t)
	cfg := testConfig(t, url)
	cfg.RateLimits.Other = "3-H"
	a := &client{t: t, base: startApp(t, cfg, app.Roles{Serve: true})}
	cfg2 := *cfg
	cfg2.DataDir = cfg.DataDir // same media store and database, as on a shared volume
	b := &client{t: t, base: startApp(t, &cfg2, app.Roles{Serve: true})}

	for i, c := range []*client{a, b, a} {
		if r := c.json(http.MethodPost, "/api/v1/projects", nil); r.Status != http.StatusCreated {
			t.Fatalf("request %d: %d %s", i, r.Status, r.Body)
		}
	}
	b.hdr = http.Header{"X-Forwarded-For": {"203.0.113.9"}} // not from a trusted proxy: ignored
	r := b.json(http.MethodPost, "/api/v1/projects", nil)
	wantError(t, r, http.StatusTooManyRequests, "rate_limited")
	if r.Header.Get("Retry-After") == "" || r.Header.Get("X-RateLimit-Limit") != "3" || r.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("429 headers: %v", r.Header)
	}
	// Health and the page are never limited.
	for i := 0; i < 5; i++ {
		if r := a.do(http.MethodGet, "/healthz", "", nil); r.Status != 200 {
			t.Fatalf("healthz limited: %d", r.Status)
		}
	}
}

// TestCancelStopsFFmpeg: a running render stops within 2 s of cancel and leaves no ffmpeg.
func TestCancelStopsFFmpeg(t *testing.T) {
	cfg := testConfig(t, "")
	base := startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: true})
	c := &client{t: t, base: base}
	dir := t.TempDir()
	var pics []string
	for i, col := range []string{"red", "blue", "yellow", "white"} {
		pics = append(pics, testutil.Image(t, dir, fmt.Sprintf("%d.png", i), 640, 480, col))
	}
	pid := c.json(http.MethodPost, "/api/v1/projects", map[string]any{
		"output": map[string]any{"resolution": "3840x2160", "quality": "high"}, "defaults": map[string]any{"duration": 30}}).JSON(t)["id"].(string)
	if r := c.upload("/api/v1/projects/"+pid+"/images", "images", pics, nil); r.Status != 200 {
		t.Fatalf("upload: %s", r.Body)
	}
	rid := c.json(http.MethodPost, "/api/v1/projects/"+pid+"/renders", nil).JSON(t)["id"].(string)
	deadline := time.Now().Add(60 * time.Second)
	for {
		st := c.do(http.MethodGet, "/api/v1/renders/"+rid, "", nil).JSON(t)
		if st["state"] == "rendering" && st["frames_done"].(float64) > 0 {
			break
		}
		if time.Now().After(deadline) || st["state"] == "done" || st["state"] == "failed" {
			t.Fatalf("render never got going: %v", st)
		}
		time.Sleep(100 * time.Millisecond)
	}
	start := time.Now()
	if r := c.json(http.MethodPost, "/api/v1/renders/"+rid+"/cancel", nil); r.Status != http.StatusAccepted {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	for {
		st := c.do(http.MethodGet, "/api/v1/renders/"+rid, "", nil).JSON(t)
		if st["state"] == "canceled" {
			break
		}
		if time.Since(start) > 2*time.Second {
			t.Fatalf("still %v 2 s after cancel", st["state"])
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("canceled after %v", time.Since(start))
	// Every ffmpeg of the render, its segment groups on other worker slots included, is gone
	// within 2 s of the cancel.
	for {
		out, _ := exec.Command("pgrep", "-af", "ffmpeg").Output()
		left := ""
		for _, line := range strings.Split(string(out), "\n") {
			if strings.Contains(line, cfg.DataDir) {
				left = line
			}
		}
		if left == "" {
			break
		}
		if time.Since(start) > 2*time.Second {
			t.Fatalf("ffmpeg still running 2 s after cancel: %s", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("every ffmpeg gone %v after cancel", time.Since(start))
	wantError(t, c.json(http.MethodPost, "/api/v1/renders/"+rid+"/cancel", nil), http.StatusConflict, "conflict")
}
