package app_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/config"
	"github.com/simvid/simvid/pkg/testutil"
	"github.com/simvid/simvid/pkg/webhook"
)

// TestIdempotencyKey: a retried POST gets the first answer and makes nothing new; the same
// key with another body is refused.
func TestIdempotencyKey(t *testing.T) {
	base, adm := startPrograms(t, nil)
	k := adm.newKey(map[string]any{"name": "retry"})
	c := k.as(t, base)
	pid, _ := projectWithPictures(t, c, 1)
	post := func(key, body string) resp {
		c.hdr.Set("Idempotency-Key", key)
		defer c.hdr.Del("Idempotency-Key")
		return c.do(http.MethodPost, "/api/v1/projects/"+pid+"/renders", "application/json", strings.NewReader(body))
	}
	first := post("render-1", "{}")
	if first.Status != http.StatusAccepted {
		t.Fatalf("first: %d %s", first.Status, first.Body)
	}
	again := post("render-1", "{}")
	if again.Status != first.Status || string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" ||
		again.Header.Get("Location") != first.Header.Get("Location") {
		t.Fatalf("retry answered %d %s (replayed %q), first %d %s", again.Status, again.Body, again.Header.Get("Idempotent-Replayed"), first.Status, first.Body)
	}
	wantError(t, post("render-1", `{"callback_url": "https://example.com/x"}`), http.StatusUnprocessableEntity, "idempotency_mismatch")
	renders := c.do(http.MethodGet, "/api/v1/projects/"+pid+"/renders", "", nil).JSON(t)["renders"].([]any)
	if len(renders) != 1 {
		t.Fatalf("%d renders after a retried POST, want 1", len(renders))
	}
	// Another client's same key is its own.
	other := adm.newKey(map[string]any{"name": "other"}).as(t, base)
	other.hdr.Set("Idempotency-Key", "render-1")
	if r := other.json(http.MethodPost, "/api/v1/projects", nil); r.Status != http.StatusCreated {
		t.Fatalf("other key: %d %s", r.Status, r.Body)
	}
	waitRender(t, c, first.JSON(t)["id"].(string), 60*time.Second)

	// While one request with a key runs, another with it waits its turn: 409. Which of two
	// requests sent together the server takes first is up to the scheduler, so the test asks
	// only that exactly one ran and the other was told to retry.
	dir := t.TempDir()
	var pics []string
	for i := range 6 {
		pics = append(pics, testutil.Image(t, dir, fmt.Sprintf("big%d.jpg", i), 1600, 1200, "teal"))
	}
	slow := k.as(t, base)
	slow.hdr.Set("Idempotency-Key", "upload-1")
	done := make(chan resp, 1)
	go func() { done <- slow.upload("/api/v1/projects/"+pid+"/images", "images", pics, nil) }()
	time.Sleep(150 * time.Millisecond)
	upB := slow.upload("/api/v1/projects/"+pid+"/images", "images", pics[:1], nil)
	upA := <-done
	ran, waited := upA, upB
	if upA.Status == http.StatusConflict {
		ran, waited = upB, upA
	}
	if ran.Status != http.StatusOK {
		t.Fatalf("of two uploads with one key, none ran: %d %s and %d %s", upA.Status, upA.Body, upB.Status, upB.Body)
	}
	wantError(t, waited, http.StatusConflict, "idempotency_in_progress")
	if waited.Header.Get("Retry-After") == "" {
		t.Error("409 without Retry-After")
	}
	if again := slow.upload("/api/v1/projects/"+pid+"/images", "images", pics[:1], nil); string(again.Body) != string(ran.Body) {
		t.Fatalf("the retried upload did not get the answer of the one that ran: %d", again.Status)
	}
}

// TestWebhookSignedAndRetried: the receiver answers 500 twice, then 200; it checks every
// signature; the three attempts are visible through the API and the admin.
func TestWebhookSignedAndRetried(t *testing.T) {
	var mu sync.Mutex
	var calls []string
	var bad []string
	var secret string
	recv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if err := webhook.Verify(secret, r.Header.Get(webhook.Header), body, 5*time.Minute, time.Now()); err != nil {
			bad = append(bad, err.Error())
		}
		calls = append(calls, string(body))
		if len(calls) <= 2 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	base, adm := startPrograms(t, nil)
	k := adm.newKey(map[string]any{"name": "hooks"})
	mu.Lock()
	secret = k.WebhookSecret
	mu.Unlock()
	c := k.as(t, base)
	pid, _ := projectWithPictures(t, c, 1)
	r := c.json(http.MethodPost, "/api/v1/projects/"+pid+"/renders", map[string]any{"callback_url": recv + "/hook"})
	if r.Status != http.StatusAccepted {
		t.Fatalf("render: %d %s", r.Status, r.Body)
	}
	rid := r.JSON(t)["id"].(string)
	waitRender(t, c, rid, 60*time.Second)
	deadline := time.Now().Add(30 * time.Second)
	var ds []any
	for time.Now().Before(deadline) {
		ds = c.do(http.MethodGet, "/api/v1/renders/"+rid+"/webhooks", "", nil).JSON(t)["deliveries"].([]any)
		if len(ds) >= 3 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ds) != 3 || len(calls) != 3 {
		t.Fatalf("%d deliveries recorded, %d calls received", len(ds), len(calls))
	}
	if len(bad) > 0 {
		t.Fatalf("bad signatures: %v", bad)
	}
	if !strings.Contains(calls[0], `"event":"render.done"`) || !strings.Contains(calls[0], rid) {
		t.Fatalf("body: %s", calls[0])
	}
	newest, oldest := ds[0].(map[string]any), ds[2].(map[string]any)
	if newest["status"].(float64) != 200 || newest["attempt"].(float64) != 3 || newest["next_at"] != nil {
		t.Fatalf("last attempt: %v", newest)
	}
	if oldest["status"].(float64) != 500 || oldest["next_at"] == nil {
		t.Fatalf("first attempt: %v", oldest)
	}
	at := func(d any) time.Time {
		t, _ := time.Parse(time.RFC3339Nano, d.(map[string]any)["at"].(string))
		return t
	}
	gap1, gap2 := at(ds[1]).Sub(at(ds[2])), at(ds[0]).Sub(at(ds[1]))
	t.Logf("webhook attempts %v and %v apart (backoff 1s, doubling)", gap1.Round(time.Millisecond), gap2.Round(time.Millisecond))
	if gap1 < time.Second || gap2 < 2*time.Second || gap2 > 4500*time.Millisecond {
		t.Fatalf("attempts %v and %v apart; want about 1 s then 2 s", gap1, gap2)
	}
	adminDs := adm.want(adm.do(http.MethodGet, "/admin/api/webhooks?render="+rid, nil, false), http.StatusOK)["deliveries"].([]any)
	if len(adminDs) != 3 {
		t.Fatalf("admin shows %d deliveries", len(adminDs))
	}
	// Only once per render, however often the render's end is written.
	time.Sleep(1500 * time.Millisecond)
	if len(calls) != 3 {
		t.Fatalf("%d calls after the success", len(calls))
	}
}

// TestWebhookRefusesLoopbackByDefault: without webhook_allow, a key's webhook_url on
// loopback is refused when the key is made (it used to be taken, and every call refused at
// connect time for a day); the connect-time refusal itself, for names that move after the
// check, is pkg/webhook's TestSenderRefusesLoopback.
func TestWebhookRefusesLoopbackByDefault(t *testing.T) {
	hit := make(chan struct{}, 10)
	recv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) { hit <- struct{}{} })
	_, adm := startPrograms(t, func(cfg *config.Config) {
		cfg.API.WebhookAllow = []string{}
		cfg.API.WebhookRetryFor = 0
	})
	r := adm.do(http.MethodPost, "/admin/api/keys", map[string]any{"name": "ssrf", "webhook_url": recv + "/hook"}, true)
	if msg := wantError(t, r, http.StatusUnprocessableEntity, "unprocessable"); !strings.Contains(msg, "webhook_url") || !strings.Contains(msg, "webhook_allow") {
		t.Fatalf("key with a loopback webhook_url: %s", msg)
	}
	if len(hit) > 0 {
		t.Fatal("the loopback receiver was called")
	}
}

// TestCORS: the configured origins reach the API's CORS handling (its cases are
// httpapi's TestCORS): a configured origin gets its grant, another none, never credentials.
func TestCORS(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.API.CORSOrigins = []string{"https://app.example.com"}
	base := startApp(t, cfg, appServeOnly())
	for _, tc := range []struct{ origin, want string }{
		{"https://app.example.com", "https://app.example.com"},
		{"https://evil.example.com", ""},
	} {
		c := &client{t: t, base: base, hdr: http.Header{"Origin": {tc.origin}, "Access-Control-Request-Method": {"POST"},
			"Access-Control-Request-Headers": {"authorization, content-type, idempotency-key"}}}
		pre := c.do(http.MethodOptions, "/api/v1/projects", "", nil)
		if pre.Status != http.StatusNoContent || pre.Header.Get("Access-Control-Allow-Origin") != tc.want {
			t.Fatalf("from %s: preflight %d, allow-origin %q", tc.origin, pre.Status, pre.Header.Get("Access-Control-Allow-Origin"))
		}
		if pre.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Fatalf("credentials allowed: %v", pre.Header)
		}
		c.hdr.Del("Access-Control-Request-Method")
		get := c.do(http.MethodGet, "/api/v1/capabilities", "", nil)
		if get.Status != 200 || get.Header.Get("Access-Control-Allow-Origin") != tc.want {
			t.Fatalf("GET allow-origin %q, want %q", get.Header.Get("Access-Control-Allow-Origin"), tc.want)
		}
	}
}

// TestRenderSpecInOneCall: a full spec naming uploaded assets renders without touching the
// project's settings; picture links are refused at once while direct links are off.
func TestRenderSpecInOneCall(t *testing.T) {
	base, adm := startPrograms(t, nil)
	c := adm.newKey(map[string]any{"name": "spec"}).as(t, base)
	pid, assets := projectWithPictures(t, c, 2)
	spec := map[string]any{
		"output":     map[string]any{"resolution": "854x480"},
		"slides":     []any{map[string]any{"asset": assets[1], "duration": 0.6}, map[string]any{"asset": assets[0], "duration": 0.6, "fit": "contain"}},
		"transition": map[string]any{"name": "fade", "duration": 0.2},
	}
	r := c.json(http.MethodPost, "/api/v1/renders", map[string]any{"spec": spec})
	if r.Status != http.StatusAccepted {
		t.Fatalf("render: %d %s", r.Status, r.Body)
	}
	m := waitRender(t, c, r.JSON(t)["id"].(string), 60*time.Second)
	if m["state"] != "done" || m["duration"].(float64) < 1.1 || m["duration"].(float64) > 1.3 || m["output_url"] == "" {
		t.Fatalf("render: %v", m)
	}
	p := c.do(http.MethodGet, "/api/v1/projects/"+pid, "", nil).JSON(t)
	if p["spec"].(map[string]any)["output"].(map[string]any)["resolution"] != "640x480" {
		t.Fatalf("the project's settings changed: %v", p["spec"])
	}
	msg := wantError(t, c.json(http.MethodPost, "/api/v1/renders", map[string]any{"spec": map[string]any{
		"slides": []any{map[string]any{"url": "https://example.com/a.jpg"}}}}), http.StatusUnprocessableEntity, "unprocessable")
	if !strings.Contains(msg, "spec.slides[0].url") || !strings.Contains(msg, "links.direct_media") {
		t.Fatalf("refusal of a picture link: %q", msg)
	}
	other, _ := projectWithPictures(t, c, 1)
	// Another project's files are not found there (404, as any id that is not the caller's).
	wantError(t, c.json(http.MethodPost, "/api/v1/renders", map[string]any{"project_id": other, "spec": spec}), http.StatusNotFound, "not_found")
	wantError(t, (&client{t: t, base: base}).json(http.MethodPost, "/api/v1/renders", map[string]any{"spec": spec}), http.StatusNotFound, "not_found")
}

// TestPrivateMode: only a key holder or a logged-in admin may create projects and renders.
func TestPrivateMode(t *testing.T) {
	base, adm := startPrograms(t, func(cfg *config.Config) { cfg.API.Private = true })
	anon := &client{t: t, base: base}
	wantError(t, anon.json(http.MethodPost, "/api/v1/projects", nil), http.StatusUnauthorized, "login_required")
	if r := anon.do(http.MethodPost, "/upload_images", "multipart/form-data; boundary=x", strings.NewReader("--x--")); r.Status != http.StatusUnauthorized {
		t.Fatalf("origin upload in private mode: %d %s", r.Status, r.Body)
	}
	// The capabilities tell the page, as it opens, whether this caller must log in first.
	loginRequired := func(c *client) string {
		r := c.do(http.MethodGet, "/api/v1/capabilities", "", nil)
		var raw map[string]any
		if r.Status != http.StatusOK || json.Unmarshal(r.Body, &raw) != nil {
			t.Fatalf("reading capabilities: %d %s", r.Status, r.Body)
		}
		return fmt.Sprintf("private=%v login_required=%v", raw["private"], raw["login_required"])
	}
	if got := loginRequired(anon); got != "private=true login_required=true" {
		t.Fatalf("capabilities for a visitor in private mode: %s", got)
	}
	k := adm.newKey(map[string]any{"name": "private"})
	if got := loginRequired(k.as(t, base)); got != "private=true login_required=false" {
		t.Fatalf("capabilities for a key holder: %s", got)
	}
	if r := k.as(t, base).json(http.MethodPost, "/api/v1/projects", nil); r.Status != http.StatusCreated {
		t.Fatalf("with a key: %d %s", r.Status, r.Body)
	}
	if adm.cookie.Path != "/" {
		t.Fatalf("private mode cookie path %q", adm.cookie.Path)
	}
	withSession := &client{t: t, base: base, hdr: http.Header{"Cookie": {adm.cookie.Name + "=" + adm.cookie.Value}}}
	if r := withSession.json(http.MethodPost, "/api/v1/projects", nil); r.Status != http.StatusCreated {
		t.Fatalf("with an admin session: %d %s", r.Status, r.Body)
	}
	if got := loginRequired(withSession); got != "private=true login_required=false" {
		t.Fatalf("capabilities for a logged-in admin: %s", got)
	}
}

// TestWebhookOnCancel: a canceled render is announced as render.canceled, once.
func TestWebhookOnCancel(t *testing.T) {
	got := make(chan string, 10)
	recv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
	})
	base, adm := startPrograms(t, nil)
	c := adm.newKey(map[string]any{"name": "cancel", "webhook_url": recv + "/key-hook"}).as(t, base)
	pid, assets := projectWithPictures(t, c, 1)
	r := c.json(http.MethodPost, "/api/v1/renders", map[string]any{"project_id": pid, "spec": map[string]any{
		"output": map[string]any{"resolution": "1920x1080"}, "slides": []any{map[string]any{"asset": assets[0], "duration": 30}}}})
	if r.Status != http.StatusAccepted {
		t.Fatalf("render: %d %s", r.Status, r.Body)
	}
	rid := r.JSON(t)["id"].(string)
	if r := c.json(http.MethodPost, "/api/v1/renders/"+rid+"/cancel", nil); r.Status != http.StatusAccepted {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	select {
	case b := <-got:
		if !strings.Contains(b, `"event":"render.canceled"`) || !strings.Contains(b, rid) {
			t.Fatalf("webhook body: %s", b)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no webhook for the canceled render")
	}
	waitRender(t, c, rid, 30*time.Second)
	select {
	case b := <-got:
		t.Fatalf("a second webhook: %s", b)
	case <-time.After(1500 * time.Millisecond):
	}
}

// TestRenderSpecMusicLink: music given by URL in a one-call render is fetched by the audio
// queue (real yt-dlp from a local server) while the render waits; the video has its sound.
func TestRenderSpecMusicLink(t *testing.T) {
	testutil.Need(t, "yt-dlp")
	ls := newLinkServer(t)
	base, adm := startPrograms(t, func(cfg *config.Config) {
		cfg.Links.AllowedHosts = append(cfg.Links.AllowedHosts, "localhost")
		cfg.Links.AllowNetworks = []string{"127.0.0.0/8", "::1/128"}
	})
	c := adm.newKey(map[string]any{"name": "links"}).as(t, base)
	pid, assets := projectWithPictures(t, c, 2)
	r := c.json(http.MethodPost, "/api/v1/renders", map[string]any{"project_id": pid, "spec": map[string]any{
		"output": map[string]any{"resolution": "640x480"},
		"slides": []any{map[string]any{"asset": assets[0], "duration": 1}, map[string]any{"asset": assets[1], "duration": 1}},
		"audio":  []any{map[string]any{"url": ls.base + "/song.m4a", "start": 1}}}})
	if r.Status != http.StatusAccepted {
		t.Fatalf("render: %d %s", r.Status, r.Body)
	}
	m := waitRender(t, c, r.JSON(t)["id"].(string), 90*time.Second)
	if m["state"] != "done" {
		t.Fatalf("render: %v", m)
	}
	out := filepath.Join(t.TempDir(), "out.mp4")
	v := c.do(http.MethodGet, m["output_url"].(string), "", nil)
	if err := os.WriteFile(out, v.Body, 0o644); err != nil {
		t.Fatal(err)
	}
	audio := false
	for _, s := range testutil.Probe(t, out).Streams {
		audio = audio || s.CodecType == "audio"
	}
	if !audio {
		t.Fatal("the video has no sound")
	}
	wantError(t, c.json(http.MethodPost, "/api/v1/renders", map[string]any{"project_id": pid, "spec": map[string]any{
		"slides": []any{map[string]any{"asset": assets[0]}},
		"audio":  []any{map[string]any{"url": "http://127.0.0.1/x.mp3"}, map[string]any{"url": ls.base + "/song.m4a"}}}}),
		http.StatusUnprocessableEntity, "unprocessable")

	// A link that leads nowhere fails the render, and its webhook says render.failed.
	got := make(chan string, 4)
	hook := newReceiver(t, func(w http.ResponseWriter, r *http.Request) { b, _ := io.ReadAll(r.Body); got <- string(b) })
	r = c.json(http.MethodPost, "/api/v1/renders", map[string]any{"project_id": pid, "callback_url": hook, "spec": map[string]any{
		"slides": []any{map[string]any{"asset": assets[0], "duration": 1}},
		"audio":  []any{map[string]any{"url": ls.base + "/missing.m4a"}}}})
	if r.Status != http.StatusAccepted {
		t.Fatalf("render: %d %s", r.Status, r.Body)
	}
	rid := r.JSON(t)["id"].(string)
	if m := waitRender(t, c, rid, 90*time.Second); m["state"] != "failed" || m["error"] == "" {
		t.Fatalf("render with a dead link: %v", m)
	}
	select {
	case b := <-got:
		if !strings.Contains(b, `"event":"render.failed"`) || !strings.Contains(b, rid) {
			t.Fatalf("webhook: %s", b)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no webhook for the failed render")
	}
}
