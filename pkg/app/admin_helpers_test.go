package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/app"
)

const adminPassword = "correct horse battery staple"

// adminClient is a logged-in (or not) admin: its cookie and CSRF token.
type adminClient struct {
	t      *testing.T
	base   string
	cookie *http.Cookie
	csrf   string
	ip     string // X-Forwarded-For, for the login limit (only counts through trusted proxies)
}

func startAdmin(t *testing.T, redisURL string) (string, *adminClient) {
	cfg := testConfig(t, redisURL)
	cfg.Admin.Password = adminPassword
	base := startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: redisURL == "", Queues: map[string]int{}})
	return base, &adminClient{t: t, base: base}
}

func (a *adminClient) do(method, path string, body any, csrf bool) resp {
	a.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, r)
	if err != nil {
		a.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.cookie != nil {
		req.AddCookie(a.cookie)
	}
	if csrf && a.csrf != "" {
		req.Header.Set("X-CSRF-Token", a.csrf)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, b}
}

// login logs in and keeps the cookie and the CSRF token.
func (a *adminClient) login() {
	a.t.Helper()
	r := a.do(http.MethodPost, "/admin/login", map[string]string{"password": adminPassword}, false)
	if r.Status != http.StatusOK {
		a.t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "simvid_admin" {
			a.cookie = c
		}
	}
	if a.cookie == nil {
		a.t.Fatalf("login set no simvid_admin cookie: %v", r.Header)
	}
	a.csrf = r.JSON(a.t)["csrf_token"].(string)
}

// want checks the status and returns the JSON body.
func (a *adminClient) want(r resp, status int) map[string]any {
	a.t.Helper()
	if r.Status != status {
		a.t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return nil
	}
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}
