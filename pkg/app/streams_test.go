package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestProgressStreamCapPerClient: with default settings one client (here an IPv6 /64 behind
// a trusted proxy) holds at most 20 open progress streams, on the v1 route and the origin
// route together; the 21st gets a 429 JSON error saying what to do, another client still
// gets its stream, and closing one stream frees its place at once.
func TestProgressStreamCapPerClient(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.TrustedProxies = []string{"127.0.0.1"}
	max := cfg.Limits.EventStreams
	if max != 20 {
		t.Fatalf("default limits.event_streams is %d, want 20", max)
	}
	// No worker: the render stays queued and every stream stays open.
	base := startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: true, Queues: map[string]int{}})
	c := &client{t: t, base: base}
	pid := c.json(http.MethodPost, "/api/v1/projects", nil).JSON(t)["id"].(string)
	pic := testutil.Image(t, t.TempDir(), "a.png", 160, 120, "red")
	if r := c.upload("/api/v1/projects/"+pid+"/images", "images", []string{pic}, nil); r.Status != 200 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	rid := c.json(http.MethodPost, "/api/v1/projects/"+pid+"/renders", nil).JSON(t)["id"].(string)

	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1}}
	type stream struct {
		cancel context.CancelFunc
		res    *http.Response
	}
	open := func(path, ip string) (stream, int, []byte) {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		req.Header.Set("X-Forwarded-For", ip)
		res, err := hc.Do(req)
		if err != nil {
			cancel()
			t.Fatalf("GET %s: %v", path, err)
		}
		if res.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			cancel()
			return stream{}, res.StatusCode, b
		}
		// The first event is on its way: the stream is open on the server.
		buf := make([]byte, 1)
		if _, err := res.Body.Read(buf); err != nil {
			t.Fatalf("stream %s: %v", path, err)
		}
		return stream{cancel, res}, res.StatusCode, nil
	}
	var held []stream
	t.Cleanup(func() {
		for _, s := range held {
			s.cancel()
			s.res.Body.Close()
		}
	})
	paths := []string{"/api/v1/renders/" + rid + "/events", "/progress/" + rid}
	for i := range max {
		s, st, body := open(paths[i%2], fmt.Sprintf("2001:db8:5:5::%x", i+1))
		if st != http.StatusOK {
			t.Fatalf("stream %d of %d: %d %s", i+1, max, st, body)
		}
		held = append(held, s)
	}
	for _, path := range paths {
		_, st, body := open(path, "2001:db8:5:5::ffff")
		if st != http.StatusTooManyRequests {
			t.Fatalf("stream %d from one /64 at %s: %d %s, want 429", max+1, path, st, body)
		}
		// v1 answers its coded error, the origin route its own shape ({"error": "...", "success": false}).
		var v1 struct {
			Error struct{ Code, Message string }
		}
		var origin struct {
			Error   string
			Success bool
		}
		msg := ""
		if json.Unmarshal(body, &v1) == nil && v1.Error.Code == "rate_limited" {
			msg = v1.Error.Message
		} else if json.Unmarshal(body, &origin) == nil && !origin.Success {
			msg = origin.Error
		}
		if !strings.Contains(msg, "progress streams are already open") {
			t.Fatalf("429 at %s is not the JSON error: %s", path, body)
		}
		t.Logf("stream %d at %s: 429 %s", max+1, path, body)
	}
	other, st, body := open(paths[0], "2001:db8:5:6::1")
	if st != http.StatusOK {
		t.Fatalf("another /64's stream: %d %s", st, body)
	}
	held = append(held, other)

	held[0].cancel()
	held[0].res.Body.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, st, body := open(paths[0], "2001:db8:5:5::ffff")
		if st == http.StatusOK {
			held = append(held, s)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("5 s after a stream closed, a new one still gets %d %s", st, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
