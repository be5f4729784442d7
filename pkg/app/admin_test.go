package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/config"
)

func TestAdminOffWithoutPassword(t *testing.T) {
	base := startApp(t, testConfig(t, ""), app.Roles{Serve: true, EmbeddedRedis: true, Queues: map[string]int{}})
	c := &client{t: t, base: base}
	for _, p := range []string{"/admin", "/admin/api/session", "/admin/api/renders"} {
		msg := wantError(t, c.do(http.MethodGet, p, "", nil), http.StatusNotFound, "not_found")
		if !strings.Contains(msg, "admin is not enabled") {
			t.Fatalf("%s: %q", p, msg)
		}
	}
	wantError(t, c.json(http.MethodPost, "/admin/login", map[string]string{"password": "x"}), http.StatusNotFound, "not_found")
}

func TestAdminShortPasswordStopsStartup(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.Admin.Password = "tooshort"
	_, err := app.New(context.Background(), cfg, zaptest.NewLogger(t), app.Roles{Serve: true, EmbeddedRedis: true})
	if err == nil || !strings.Contains(err.Error(), "admin.password") || !strings.Contains(err.Error(), "12") {
		t.Fatalf("app.New with an 8-character password: %v", err)
	}
	for _, weak := range []string{"aaaaaaaaaaaa", "password1234"} { // long enough, guessed at once
		cfg.Admin.Password = config.Secret(weak)
		_, err = app.New(context.Background(), cfg, zaptest.NewLogger(t), app.Roles{Serve: true, EmbeddedRedis: true})
		if err == nil || !strings.Contains(err.Error(), "admin.password (SIMVID_ADMIN_PASSWORD or ADMIN_PASSWORD) is too easy to guess") ||
			!strings.Contains(err.Error(), "Choose four or more unrelated words") || strings.Contains(err.Error(), weak) {
			t.Fatalf("app.New with admin password %q: %v", weak, err)
		}
	}
	cfg.Admin.Password, cfg.Admin.PasswordHash = "", "md5:abc"
	if _, err := app.New(context.Background(), cfg, zaptest.NewLogger(t), app.Roles{Serve: true, EmbeddedRedis: true}); err == nil ||
		!strings.Contains(err.Error(), "admin.password_hash") {
		t.Fatalf("app.New with a bad hash: %v", err)
	}
}

// adminRoutes is every admin route with a body that passes validation where one is needed.
var adminRoutes = []struct {
	method, path string
	body         any
}{
	{"POST", "/admin/logout", nil},
	{"GET", "/admin/api/session", nil},
	{"DELETE", "/admin/api/sessions", nil},
	{"GET", "/admin/api/audit", nil},
	{"GET", "/admin/api/dashboard", nil},
	{"GET", "/admin/api/queues", nil},
	{"POST", "/admin/api/queues/video/dead/retry", map[string]any{"all": true}},
	{"POST", "/admin/api/queues/video/dead/delete", map[string]any{"all": true}},
	{"GET", "/admin/api/renders", nil},
	{"GET", "/admin/api/renders/rnd_AAAAAAAAAAAAAAAAAAAAAA", nil},
	{"POST", "/admin/api/renders/rnd_AAAAAAAAAAAAAAAAAAAAAA/retry", nil},
	{"POST", "/admin/api/renders/rnd_AAAAAAAAAAAAAAAAAAAAAA/cancel", nil},
	{"GET", "/admin/api/projects", nil},
	{"GET", "/admin/api/projects/prj_AAAAAAAAAAAAAAAAAAAAAA", nil},
	{"DELETE", "/admin/api/projects/prj_AAAAAAAAAAAAAAAAAAAAAA", nil},
	{"GET", "/admin/api/assets/img_AAAAAAAAAAAAAAAAAAAAAA/file", nil},
	{"GET", "/admin/api/storage", nil},
	{"GET", "/admin/api/retention", nil},
	{"PUT", "/admin/api/retention", map[string]any{"days": 7}},
	{"POST", "/admin/api/cleanup", map[string]any{"dry_run": true}},
	{"GET", "/admin/api/export/projects", nil},
	{"GET", "/admin/api/export/renders?format=csv", nil},
	{"GET", "/admin/api/keys", nil},
	{"POST", "/admin/api/keys", map[string]any{"name": "table"}},
	{"DELETE", "/admin/api/keys/key_AAAAAAAAAAAAAAAAAAAAAA", nil},
	{"GET", "/admin/api/webhooks", nil},
}

func TestAdminRoutesNeedSessionAndCSRF(t *testing.T) {
	_, a := startAdmin(t, "")
	for _, rt := range adminRoutes {
		r := a.do(rt.method, rt.path, rt.body, false)
		if m := a.want(r, http.StatusUnauthorized); m["error"] == nil {
			t.Fatalf("%s %s without a session: not a JSON error: %s", rt.method, rt.path, r.Body)
		}
	}
	a.login()
	for _, rt := range adminRoutes {
		if rt.method == "GET" || strings.HasSuffix(rt.path, "/logout") || rt.path == "/admin/api/sessions" {
			continue
		}
		r := a.do(rt.method, rt.path, rt.body, false)
		if m := a.want(r, http.StatusForbidden); m["error"].(map[string]any)["code"] != "csrf" {
			t.Fatalf("%s %s without CSRF: %s", rt.method, rt.path, r.Body)
		}
		a.csrf, rt.body = "wrong"+a.csrf, nil
		a.want(a.do(rt.method, rt.path, nil, true), http.StatusForbidden)
		a.csrf = a.csrf[5:]
	}
	for _, rt := range adminRoutes {
		if strings.HasSuffix(rt.path, "/logout") || rt.path == "/admin/api/sessions" {
			continue
		}
		r := a.do(rt.method, rt.path, rt.body, true)
		ok := r.Status < 300 || (r.Status == http.StatusNotFound && strings.Contains(rt.path, "AAAA"))
		if !ok {
			t.Fatalf("%s %s with a session: %d %s", rt.method, rt.path, r.Status, r.Body)
		}
		if r.Header.Get("Cache-Control") != "no-store" || !strings.Contains(r.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("%s %s: security headers missing: %v", rt.method, rt.path, r.Header)
		}
	}
	// Logging out ends the session on the server, not only in the browser.
	a.want(a.do("POST", "/admin/logout", nil, true), http.StatusOK)
	a.want(a.do("GET", "/admin/api/session", nil, false), http.StatusUnauthorized)
}

func TestAdminLogin(t *testing.T) {
	base, a := startAdmin(t, "")
	page := a.do("GET", "/admin", nil, false)
	if page.Status != 200 || !strings.Contains(string(page.Body), "/static/admin/admin.js?v=") ||
		!strings.Contains(page.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("admin page: %d %v %.200s", page.Status, page.Header, page.Body)
	}
	// A form post (not JSON) cannot log in: no login CSRF from another site.
	req, _ := http.NewRequest("POST", base+"/admin/login", strings.NewReader("password="+adminPassword))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("form login: %d", res.StatusCode)
	}
	// Another site's Origin is refused before anything else.
	req, _ = http.NewRequest("POST", base+"/admin/login", strings.NewReader(`{"password":"`+adminPassword+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://evil.example")
	if res, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin login: %d", res.StatusCode)
	}

	a.login()
	ck := a.cookie
	if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/admin" || ck.Secure || len(ck.Value) != 43 {
		t.Fatalf("cookie: %+v", ck)
	}
	s := a.want(a.do("GET", "/admin/api/session", nil, false), http.StatusOK)
	if s["csrf_token"] != a.csrf || len(a.csrf) != 43 {
		t.Fatalf("session: %v", s)
	}
	// Wrong passwords: 401 each, until the fifth attempt in 15 minutes; then 429 even for
	// the right one.
	bad := &adminClient{t: t, base: base}
	for range 4 { // the successful login above reset this IP's count
		r := bad.do("POST", "/admin/login", map[string]string{"password": "wrong password!"}, false)
		if m := bad.want(r, http.StatusUnauthorized); m["error"] == nil {
			t.Fatalf("wrong password: %s", r.Body)
		}
	}
	bad.want(bad.do("POST", "/admin/login", map[string]string{"password": "again wrong!"}, false), http.StatusUnauthorized)
	r := bad.do("POST", "/admin/login", map[string]string{"password": adminPassword}, false)
	wantError(t, r, http.StatusTooManyRequests, "rate_limited")
	if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("429 without Retry-After: %v", r.Header)
	}
	wantError(t, bad.do("POST", "/admin/login", map[string]string{"password": adminPassword}, false), http.StatusTooManyRequests, "rate_limited")

	// The audit log saw all of it, with the IP.
	ev := a.want(a.do("GET", "/admin/api/audit", nil, false), http.StatusOK)["events"].([]any)
	var actions []string
	for _, e := range ev {
		m := e.(map[string]any)
		actions = append(actions, m["action"].(string))
		if m["ip"] != "127.0.0.1" || m["at"] == "" {
			t.Fatalf("audit event without IP or time: %v", m)
		}
	}
	got := strings.Join(actions, ",")
	if got != "login.limited,login.failed,login.failed,login.failed,login.failed,login.failed,login" {
		t.Fatalf("audit actions: %s", got)
	}

	// Revoking every session logs this one out too.
	a.want(a.do("DELETE", "/admin/api/sessions", nil, true), http.StatusOK)
	a.want(a.do("GET", "/admin/api/session", nil, false), http.StatusUnauthorized)
}
