package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/config"
	"github.com/simvid/simvid/pkg/jobs"
	"github.com/simvid/simvid/pkg/testutil"
)

// testConfig is a configuration for one test: temp data, port 0, fast leases and retries.
func testConfig(t *testing.T, redisURL string) *config.Config {
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.MetricsAddr = ""
	cfg.DataDir = t.TempDir()
	cfg.RedisURL = redisURL
	cfg.Jobs.Backoff = 0
	cfg.Jobs.LeaseTTL = 2 * time.Second
	cfg.Jobs.ReconcileInterval = 500 * time.Millisecond
	cfg.Jobs.ShutdownGrace = 5 * time.Second
	cfg.Jobs.MusicWait = 30 * time.Second
	cfg.Limits.MinFreeDisk = 0
	cfg.Workers.Video, cfg.Workers.Audio = 2, 1
	return cfg
}

// startApp runs an app with the given roles until the test ends and returns its base URL.
func startApp(t *testing.T, cfg *config.Config, roles app.Roles) string {
	t.Helper()
	testutil.Need(t, "ffmpeg", "ffprobe")
	if roles.EmbeddedRedis && roles.Queues == nil {
		roles.Queues = map[string]int{jobs.QueueVideo: cfg.Workers.Video, jobs.QueueAudio: cfg.Workers.Audio}
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, zaptest.NewLogger(t), roles)
	if err != nil {
		cancel()
		t.Fatalf("app.New: %v", err)
	}
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, func() { close(started) }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("app.Run: %v", err)
		}
		a.Close()
	})
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("app stopped at start: %v", err)
	}
	return "http://" + a.Addr()
}

// client speaks JSON to one app.
type client struct {
	t    *testing.T
	base string
	hdr  http.Header
}

type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r resp) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not JSON (%v): %q", err, r.Body)
	}
	return m
}

func (c *client) do(method, path, ctype string, body io.Reader) resp {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range c.hdr {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, b}
}

func (c *client) json(method, path string, v any) resp {
	c.t.Helper()
	var body io.Reader
	if v != nil {
		b, _ := json.Marshal(v)
		body = bytes.NewReader(b)
	}
	return c.do(method, path, "application/json", body)
}

// upload posts files (and fields) as multipart, files in order.
func (c *client) upload(path, field string, files []string, fields map[string]string) resp {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	for _, f := range files {
		part, _ := w.CreateFormFile(field, filepath.Base(f))
		b, err := os.ReadFile(f)
		if err != nil {
			c.t.Fatal(err)
		}
		_, _ = part.Write(b)
	}
	_ = w.Close()
	return c.do(http.MethodPost, path, w.FormDataContentType(), &buf)
}

// wantError checks an API error: status, JSON shape, a code, and no server path or stack.
func wantError(t *testing.T, r resp, status int, code string) string {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type %q, want JSON: %s", ct, r.Body)
	}
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.Message == "" {
		t.Fatalf("not an error body: %s", r.Body)
	}
	if code != "" && e.Error.Code != code {
		t.Fatalf("code %q, want %q: %s", e.Error.Code, code, r.Body)
	}
	if strings.Contains(string(r.Body), "/tmp/") || strings.Contains(string(r.Body), "goroutine") || strings.Contains(string(r.Body), ".go:") {
		t.Fatalf("error leaks internals: %s", r.Body)
	}
	return e.Error.Message
}

// followSSE reads `event: render` messages until a finished state, returning the states seen.
func followSSE(t *testing.T, url string, timeout time.Duration) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("SSE: %v", err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("SSE content type %q", ct)
	}
	var seen []map[string]any
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "data: ") {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line[6:]), &m); err != nil {
			t.Fatalf("SSE data: %v", err)
		}
		seen = append(seen, m)
		switch m["state"] {
		case "done", "failed", "canceled":
			return seen
		}
	}
	t.Fatalf("SSE ended without a finished state after %d events (%v)", len(seen), ctx.Err())
	return nil
}
