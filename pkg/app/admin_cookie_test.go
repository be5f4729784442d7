package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/app"
)

// TestAdminSecureCookieSetting: TLS ends at a proxy that is not in trusted_proxies, so
// simvid sees plain HTTP from a peer whose X-Forwarded-Proto it must not believe. By default the
// session cookie is then not Secure; with admin.secure_cookie it always is, on login and
// on the logout that clears it.
func TestAdminSecureCookieSetting(t *testing.T) {
	for _, secure := range []bool{false, true} {
		cfg := testConfig(t, "")
		cfg.Admin.Password = adminPassword
		cfg.Admin.SecureCookie = secure
		base := startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: true, Queues: map[string]int{}})
		a := &adminClient{t: t, base: base}
		a.login()
		if a.cookie.Secure != secure {
			t.Fatalf("secure_cookie %v: login cookie Secure = %v", secure, a.cookie.Secure)
		}
		r := a.do(http.MethodPost, "/admin/logout", nil, true)
		if r.Status/100 != 2 {
			t.Fatalf("logout: %d %s", r.Status, r.Body)
		}
		var cleared *http.Cookie
		for _, c := range (&http.Response{Header: r.Header}).Cookies() {
			if c.Name == "simvid_admin" {
				cleared = c
			}
		}
		if cleared == nil || cleared.Secure != secure {
			t.Fatalf("secure_cookie %v: logout cookie %v", secure, r.Header.Values("Set-Cookie"))
		}
		t.Logf("secure_cookie %v: Set-Cookie %s", secure, strings.Join(r.Header.Values("Set-Cookie"), "; "))
	}
}
