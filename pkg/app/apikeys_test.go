package app_test

import (
	"net/http"
	"testing"

	"github.com/simvid/simvid/pkg/config"
)

// TestAPIKeys: keys made in the admin authenticate, see only their own projects, and the
// revoked or unknown ones are refused.
func TestAPIKeys(t *testing.T) {
	base, adm := startPrograms(t, nil)
	one, two := adm.newKey(map[string]any{"name": "one"}), adm.newKey(map[string]any{"name": "two"})
	c1, c2, anon := one.as(t, base), two.as(t, base), &client{t: t, base: base}

	keys := adm.want(adm.do(http.MethodGet, "/admin/api/keys", nil, false), http.StatusOK)["keys"].([]any)
	if len(keys) != 2 {
		t.Fatalf("admin lists %d keys", len(keys))
	}
	for _, k := range keys {
		m := k.(map[string]any)
		if _, ok := m["secret"]; ok || len(m["prefix"].(string)) != 11 {
			t.Fatalf("key listing shows a secret or a bad prefix: %v", m)
		}
	}

	pid, _ := projectWithPictures(t, c1, 1)
	list := c1.do(http.MethodGet, "/api/v1/projects", "", nil).JSON(t)["projects"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["id"] != pid {
		t.Fatalf("key one lists %v", list)
	}
	if l := c2.do(http.MethodGet, "/api/v1/projects", "", nil).JSON(t)["projects"].([]any); len(l) != 0 {
		t.Fatalf("key two lists key one's projects: %v", l)
	}
	for _, c := range []*client{c2, anon} {
		wantError(t, c.do(http.MethodGet, "/api/v1/projects/"+pid, "", nil), http.StatusNotFound, "not_found")
		wantError(t, c.json(http.MethodPost, "/api/v1/projects/"+pid+"/renders", nil), http.StatusNotFound, "not_found")
	}
	r := c1.json(http.MethodPost, "/api/v1/projects/"+pid+"/renders", nil)
	if r.Status != http.StatusAccepted {
		t.Fatalf("render: %d %s", r.Status, r.Body)
	}
	rid := r.JSON(t)["id"].(string)
	wantError(t, c2.do(http.MethodGet, "/api/v1/renders/"+rid, "", nil), http.StatusNotFound, "not_found")
	if r := anon.do(http.MethodGet, "/job_status/"+rid, "", nil); r.Status != http.StatusNotFound {
		t.Fatalf("origin route shows a key's render: %d %s", r.Status, r.Body)
	}
	if r := anon.json(http.MethodPost, "/generate_video", map[string]any{"session_id": pid}); r.Status != http.StatusNotFound {
		t.Fatalf("origin generate on a key's project: %d %s", r.Status, r.Body)
	}
	waitRender(t, c1, rid, 60e9)
	// Its status is in the serve's cache now (key one's polls): the owner check holds the same.
	for _, c := range []*client{c2, anon} {
		wantError(t, c.do(http.MethodGet, "/api/v1/renders/"+rid, "", nil), http.StatusNotFound, "not_found")
		wantError(t, c.do(http.MethodGet, "/api/v1/renders/"+rid+"/events", "", nil), http.StatusNotFound, "not_found")
	}

	wantError(t, anon.do(http.MethodGet, "/api/v1/projects", "", nil), http.StatusUnauthorized, "unauthorized")
	bad := apiKey{Secret: "sk_nope"}
	r = bad.as(t, base).do(http.MethodGet, "/api/v1/capabilities", "", nil)
	wantError(t, r, http.StatusUnauthorized, "unauthorized")
	if r.Header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	basic := &client{t: t, base: base, hdr: http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}} // a proxy's own auth
	if r := basic.do(http.MethodGet, "/api/v1/capabilities", "", nil); r.Status != http.StatusOK {
		t.Fatalf("Basic auth from a proxy in front: %d %s", r.Status, r.Body)
	}
	adm.want(adm.do(http.MethodDelete, "/admin/api/keys/"+one.ID, nil, true), http.StatusOK)
	wantError(t, c1.do(http.MethodGet, "/api/v1/projects", "", nil), http.StatusUnauthorized, "unauthorized")
	// Without CSRF the admin refuses to make keys.
	adm.want(adm.do(http.MethodPost, "/admin/api/keys", map[string]any{"name": "x"}, false), http.StatusForbidden)
}

// TestAPIKeyLimitsAndQuotas: a key's own rate replaces the per-IP one, and its renders per
// day and storage quotas hold.
func TestAPIKeyLimitsAndQuotas(t *testing.T) {
	base, adm := startPrograms(t, func(cfg *config.Config) { cfg.RateLimits.Read = "1000-H" })
	tight := adm.newKey(map[string]any{"name": "tight", "rate_limit": "3-M"})
	ct := tight.as(t, base)
	for i := range 3 {
		if r := ct.do(http.MethodGet, "/api/v1/capabilities", "", nil); r.Status != http.StatusOK || r.Header.Get("X-RateLimit-Limit") != "3" {
			t.Fatalf("request %d: %d limit %q", i, r.Status, r.Header.Get("X-RateLimit-Limit"))
		}
	}
	wantError(t, ct.do(http.MethodGet, "/api/v1/capabilities", "", nil), http.StatusTooManyRequests, "rate_limited")
	anon := &client{t: t, base: base}
	if r := anon.do(http.MethodGet, "/api/v1/capabilities", "", nil); r.Status != http.StatusOK {
		t.Fatalf("the same IP without the key is limited too: %d", r.Status)
	}

	q := adm.newKey(map[string]any{"name": "quota", "renders_per_day": 1, "storage_bytes": 40000})
	cq := q.as(t, base)
	pid, _ := projectWithPictures(t, cq, 1)
	r := cq.json(http.MethodPost, "/api/v1/projects/"+pid+"/renders", nil)
	if r.Status != http.StatusAccepted {
		t.Fatalf("first render: %d %s", r.Status, r.Body)
	}
	waitRender(t, cq, r.JSON(t)["id"].(string), 60e9)
	wantError(t, cq.json(http.MethodPost, "/api/v1/projects/"+pid+"/renders", nil), http.StatusTooManyRequests, "quota_exceeded")
	big := make([]byte, 50000)
	wantError(t, cq.do(http.MethodPost, "/api/v1/projects/"+pid+"/images", "multipart/form-data; boundary=x", stringsReader(string(big))),
		http.StatusTooManyRequests, "quota_exceeded")
	wantError(t, adm.do(http.MethodPost, "/admin/api/keys", map[string]any{"rate_limit": "lots"}, true), http.StatusUnprocessableEntity, "unprocessable")
}
