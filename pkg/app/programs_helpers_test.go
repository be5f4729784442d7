package app_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/config"
	"github.com/simvid/simvid/pkg/testutil"
)

// startPrograms runs every role on an embedded Redis with the admin on, after mod changes
// the configuration, and returns the base URL and a logged-in admin.
func startPrograms(t *testing.T, mod func(cfg *config.Config)) (string, *adminClient) {
	t.Helper()
	cfg := testConfig(t, "")
	cfg.Admin.Password = adminPassword
	cfg.API.WebhookAllow = []string{"127.0.0.0/8"} // the test's receivers listen on loopback
	cfg.API.WebhookBackoff = time.Second
	if mod != nil {
		mod(cfg)
	}
	base := startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: true})
	adm := &adminClient{t: t, base: base}
	adm.login()
	return base, adm
}

// apiKey is a key made in the admin: its id, its bearer secret and its webhook secret.
type apiKey struct{ ID, Secret, WebhookSecret string }

func (a *adminClient) newKey(opts map[string]any) apiKey {
	a.t.Helper()
	m := a.want(a.do(http.MethodPost, "/admin/api/keys", opts, true), http.StatusCreated)
	return apiKey{m["id"].(string), m["secret"].(string), m["webhook_secret"].(string)}
}

// as returns a client that sends this key.
func (k apiKey) as(t *testing.T, base string) *client {
	return &client{t: t, base: base, hdr: http.Header{"Authorization": {"Bearer " + k.Secret}}}
}

// projectWithPictures makes a project of n small pictures with short slides and returns its id
// and the pictures' asset ids.
func projectWithPictures(t *testing.T, c *client, n int) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for i := range n {
		files = append(files, testutil.Image(t, dir, "p"+string(rune('a'+i))+".jpg", 160, 120, []string{"red", "lime", "blue"}[i%3]))
	}
	r := c.json(http.MethodPost, "/api/v1/projects", map[string]any{
		"output": map[string]any{"resolution": "640x480"}, "defaults": map[string]any{"duration": 0.5},
		"transition": map[string]any{"name": "none"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("create project: %d %s", r.Status, r.Body)
	}
	pid := r.JSON(t)["id"].(string)
	r = c.upload("/api/v1/projects/"+pid+"/images", "images", files, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var assets []string
	for _, s := range r.JSON(t)["project"].(map[string]any)["slides"].([]any) {
		assets = append(assets, s.(map[string]any)["asset"].(string))
	}
	return pid, assets
}

// waitRender polls a render until it finishes and returns its view.
func waitRender(t *testing.T, c *client, id string, timeout time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		r := c.do(http.MethodGet, "/api/v1/renders/"+id, "", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("render %s: %d %s", id, r.Status, r.Body)
		}
		m := r.JSON(t)
		switch m["state"] {
		case "done", "failed", "canceled":
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("render %s not finished after %v: %s", id, timeout, r.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// newReceiver starts an HTTP server on loopback for webhook calls and returns its URL.
func newReceiver(t *testing.T, h http.HandlerFunc) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func appServeOnly() app.Roles {
	return app.Roles{Serve: true, EmbeddedRedis: true, Queues: map[string]int{}}
}
