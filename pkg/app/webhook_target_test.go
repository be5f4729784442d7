package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/config"
)

// TestCallbackURLRefusedWhenAsked: a callback_url the sender could never call (loopback,
// private, link-local, metadata, a name resolving to loopback) is 422 when the render is
// asked for, not accepted and retried for a day (day-one issue, point 6), and no render is
// made.
func TestCallbackURLRefusedWhenAsked(t *testing.T) {
	base, adm := startPrograms(t, func(cfg *config.Config) { cfg.API.WebhookAllow = []string{} })
	c := adm.newKey(map[string]any{"name": "hooks"}).as(t, base)
	pid, imgs := projectWithPictures(t, c, 1)
	for _, u := range []string{
		"http://127.0.0.1:9/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data/",
		"http://[::1]:8080/hook", "http://localhost:8080/hook", "http://[::ffff:127.0.0.1]/hook",
		"http://192.168.1.20/hook", "http://100.100.100.200/hook", "http://[fe80::1]/hook",
	} {
		r := c.json(http.MethodPost, "/api/v1/projects/"+pid+"/renders", map[string]any{"callback_url": u})
		if msg := wantError(t, r, http.StatusUnprocessableEntity, "unprocessable"); !strings.Contains(msg, "callback_url") || !strings.Contains(msg, "webhook_allow") {
			t.Errorf("%s: %s", u, msg)
		}
		r = c.json(http.MethodPost, "/api/v1/renders", map[string]any{"project_id": pid, "callback_url": u,
			"spec": map[string]any{"slides": []any{map[string]any{"asset": imgs[0]}}}})
		wantError(t, r, http.StatusUnprocessableEntity, "unprocessable")
	}
	r := c.json(http.MethodPost, "/api/v1/projects/"+pid+"/renders", map[string]any{"callback_url": "http://no-such-host.invalid/hook"})
	if msg := wantError(t, r, http.StatusUnprocessableEntity, "unprocessable"); !strings.Contains(msg, "does not resolve") {
		t.Errorf("unresolvable host: %s", msg)
	}
	if rs := c.do(http.MethodGet, "/api/v1/projects/"+pid+"/renders", "", nil).JSON(t)["renders"].([]any); len(rs) != 0 {
		t.Fatalf("%d renders made for refused callbacks", len(rs))
	}
}

// TestWebhookLinksAbsolute: with loopback listed in api.webhook_allow the callback is taken,
// and the delivered body's url, output_url and poster_url are absolute links that work:
// from the request's Host (X-Forwarded-* from an untrusted peer are ignored), or from a
// trusted proxy's X-Forwarded-Proto and X-Forwarded-Host.
func TestWebhookLinksAbsolute(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted []string
		want    string // "" = the server's own base
	}{
		{"untrusted forwarded headers", nil, ""},
		{"trusted proxy", []string{"127.0.0.1"}, "https://videos.example.test"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var bodies [][]byte
			recv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				bodies = append(bodies, b)
				mu.Unlock()
			})
			base, adm := startPrograms(t, func(cfg *config.Config) { cfg.TrustedProxies = tc.trusted })
			c := adm.newKey(map[string]any{"name": "hooks"}).as(t, base)
			pid, _ := projectWithPictures(t, c, 1)
			c.hdr.Set("X-Forwarded-Proto", "https")
			c.hdr.Set("X-Forwarded-Host", "videos.example.test")
			r := c.json(http.MethodPost, "/api/v1/projects/"+pid+"/renders", map[string]any{"callback_url": recv + "/hook"})
			c.hdr.Del("X-Forwarded-Proto")
			c.hdr.Del("X-Forwarded-Host")
			if r.Status != http.StatusAccepted {
				t.Fatalf("render: %d %s", r.Status, r.Body)
			}
			rid := r.JSON(t)["id"].(string)
			waitRender(t, c, rid, 60*time.Second)
			deadline := time.Now().Add(30 * time.Second)
			for {
				mu.Lock()
				n := len(bodies)
				mu.Unlock()
				if n > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("no webhook call")
				}
				time.Sleep(100 * time.Millisecond)
			}
			var body struct {
				Render struct {
					URL       string `json:"url"`
					OutputURL string `json:"output_url"`
					PosterURL string `json:"poster_url"`
				} `json:"render"`
			}
			mu.Lock()
			if err := json.Unmarshal(bodies[0], &body); err != nil {
				t.Fatal(err)
			}
			mu.Unlock()
			want := tc.want
			if want == "" {
				want = base
			}
			link := want + "/api/v1/renders/" + rid
			if body.Render.URL != link || body.Render.OutputURL != link+"/video" || body.Render.PosterURL != link+"/poster" {
				t.Fatalf("links %+v, want them under %s", body.Render, link)
			}
			if tc.want == "" { // they work
				for _, u := range []string{body.Render.URL, body.Render.OutputURL, body.Render.PosterURL} {
					if r := c.do(http.MethodGet, strings.TrimPrefix(u, base), "", nil); r.Status != http.StatusOK {
						t.Errorf("%s: %d", u, r.Status)
					}
				}
			}
		})
	}
}
