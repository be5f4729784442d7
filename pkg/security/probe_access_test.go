package security

import (
	"encoding/base64"
	"math/bits"
	"net/http"
	"strings"
	"testing"
)

// probeIDs: ids that were never handed out, or that differ from a real one in one
// character, are 404 on every route that names one; real ids carry 128 random bits.
func probeIDs(t *testing.T, s *server) {
	pid, asset := projectWithPicture(t, s, "a.jpg")
	var ids []string
	for range 12 {
		ids = append(ids, newProject(t, s))
	}
	for i, id := range ids {
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(id, "prj_"))
		if err != nil || len(raw) != 16 {
			t.Fatalf("id %s is not prj_ and 16 bytes of base64url", id)
		}
		if i == 0 {
			continue
		}
		prev, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(ids[i-1], "prj_"))
		diff := 0
		for j := range raw {
			diff += bits.OnesCount8(raw[j] ^ prev[j])
		}
		if diff < 30 || diff > 98 { // 128 random bits differ in 64 +- 5.7
			t.Errorf("ids %s and %s differ in %d of 128 bits: not random", ids[i-1], id, diff)
		}
	}
	neighbour := func(id string) string { // the last character changed
		last := id[len(id)-1]
		c := byte('A')
		if last == 'A' {
			c = 'B'
		}
		return id[:len(id)-1] + string(c)
	}
	guesses := []string{neighbour(pid), "prj_AAAAAAAAAAAAAAAAAAAAAA", "prj_1", "prj_2", "1", "0"}
	for _, g := range guesses {
		for _, path := range []string{"/api/v1/projects/" + g, "/api/v1/projects/" + g + "/renders",
			"/api/v1/projects/" + g + "/music/audio", "/api/v1/projects/" + g + "/images/" + asset + "/thumbnail"} {
			if a := call(t, http.MethodGet, s.URL+path, nil); a.Status != http.StatusNotFound {
				t.Errorf("GET %s: %s, want 404", path, a)
			}
		}
	}
	for _, g := range []string{neighbour(asset), "img_AAAAAAAAAAAAAAAAAAAAAA"} {
		if a := call(t, http.MethodGet, s.URL+"/api/v1/projects/"+pid+"/images/"+g+"/thumbnail", nil); a.Status != http.StatusNotFound {
			t.Errorf("thumbnail of guessed asset %s: %s, want 404", g, a)
		}
	}
	for _, g := range []string{"rnd_AAAAAAAAAAAAAAAAAAAAAA", "rnd_1", "1", "00000000-0000-0000-0000-000000000001"} {
		for _, path := range []string{"/api/v1/renders/" + g, "/api/v1/renders/" + g + "/video", "/api/v1/renders/" + g + "/poster",
			"/api/v1/renders/" + g + "/events", "/api/v1/renders/" + g + "/webhooks", "/job_status/" + g, "/progress/" + g, "/download/" + g} {
			a := call(t, http.MethodGet, s.URL+path, nil)
			// The origin's progress stream answers an unknown job inside the stream, as the
			// original did: the same answer for every id, so it tells nothing either.
			sameAsOrigin := strings.HasPrefix(path, "/progress/") && a.Status == http.StatusOK &&
				strings.Contains(string(a.Body), `"job not found"`)
			if a.Status != http.StatusNotFound && !sameAsOrigin {
				t.Errorf("GET %s: %s, want 404", path, a)
			}
		}
	}
	if a := call(t, http.MethodPost, s.URL+"/generate_video", map[string]any{"session_id": neighbour(pid)}); a.Status != http.StatusNotFound {
		t.Errorf("generate_video of a guessed session: %s, want 404", a)
	}
}

// traversalPaths are ways to climb out of a folder, plain, encoded, doubly encoded, with
// backslashes and as absolute paths.
var traversalPaths = []string{
	"../../../../../../etc/passwd", "..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
	"%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
	"%252e%252e%252f%252e%252e%252fetc%252fpasswd", "..%5c..%5c..%5c..%5cetc%5cpasswd", `..\..\..\..\etc\passwd`,
	"/etc/passwd", "%2fetc%2fpasswd", "//etc/passwd", "....//....//....//etc/passwd", "..;/..;/etc/passwd",
	"../../simvid.db", "..%2f..%2fsimvid.db", "%00../../etc/passwd",
}

// probeTraversal puts every traversal form in every route that serves a file and checks
// that no file comes back: the system's passwd, the database, or anything else.
func probeTraversal(t *testing.T, s *server) {
	pid, asset := projectWithPicture(t, s, "a.jpg")
	as := s.login(t)
	routes := []string{
		"/static/{x}", "/static/js/{x}", "/static/admin/{x}",
		"/api/v1/projects/" + pid + "/images/{x}/thumbnail", "/api/v1/projects/" + pid + "/images/" + asset + "/{x}",
		"/api/v1/projects/{x}/music/audio", "/api/v1/renders/{x}/video", "/api/v1/renders/{x}/poster",
		"/download/{x}", "/admin/api/assets/{x}/file", "/admin/api/export/{x}", "/{x}",
	}
	for _, r := range routes {
		for _, x := range traversalPaths {
			target := strings.ReplaceAll(r, "{x}", x)
			a := rawGet(t, s.URL, target, "Cookie", as.Cookie)
			body := string(a.Body)
			if strings.Contains(body, "root:") || strings.HasPrefix(body, "SQLite format") {
				t.Errorf("GET %s served a file: %.80q", target, body)
				continue
			}
			if a.Status != http.StatusNotFound && a.Status != http.StatusBadRequest {
				t.Errorf("GET %s: %s, want 404 or 400", target, a)
			}
		}
	}
}

// probeCSRF sends every admin change with the session cookie but without the token, with a
// foreign Origin, or marked cross-site by the browser, and checks nothing changed.
func probeCSRF(t *testing.T, s *server) {
	pid, _ := projectWithPicture(t, s, "a.jpg")
	as := s.login(t)
	keyID := func() string {
		a := s.adminCall(t, http.MethodPost, "/admin/api/keys", map[string]any{"name": "csrf-victim"})
		id, _ := a.JSON()["id"].(string)
		if id == "" {
			t.Fatalf("create key: %s", a)
		}
		return id
	}()
	changes := []struct{ method, path, body string }{
		{"POST", "/admin/api/keys", `{"name":"evil"}`},
		{"DELETE", "/admin/api/keys/" + keyID, ""},
		{"DELETE", "/admin/api/projects/" + pid, ""},
		{"PUT", "/admin/api/retention", `{"days":1}`},
		{"POST", "/admin/api/cleanup", `{"dry_run":false}`},
		{"POST", "/admin/api/queues/video/dead/retry", `{"all":true}`},
		{"POST", "/admin/api/queues/video/dead/delete", `{"all":true}`},
		{"POST", "/admin/api/renders/rnd_AAAAAAAAAAAAAAAAAAAAAA/retry", ""},
		{"POST", "/admin/api/renders/rnd_AAAAAAAAAAAAAAAAAAAAAA/cancel", ""},
		{"DELETE", "/admin/api/sessions", ""},
		{"POST", "/admin/logout", ""},
	}
	// The wrong token differs from the real one in its first character, whatever that is.
	wrong := "x" + as.CSRF[1:]
	if wrong == as.CSRF {
		wrong = "y" + as.CSRF[1:]
	}
	ways := []struct {
		name string
		hdr  []string
	}{
		{"no token, no Origin", []string{"Cookie", as.Cookie, "Content-Type", "application/json"}},
		{"wrong token", []string{"Cookie", as.Cookie, "X-CSRF-Token", wrong, "Content-Type", "application/json"}},
		{"foreign Origin", []string{"Cookie", as.Cookie, "X-CSRF-Token", as.CSRF, "Origin", "https://evil.example", "Content-Type", "application/json"}},
		{"null Origin", []string{"Cookie", as.Cookie, "X-CSRF-Token", as.CSRF, "Origin", "null", "Content-Type", "application/json"}},
		{"cross-site fetch", []string{"Cookie", as.Cookie, "X-CSRF-Token", as.CSRF, "Sec-Fetch-Site", "cross-site", "Content-Type", "application/json"}},
		{"form post, foreign Origin", []string{"Cookie", as.Cookie, "Origin", "https://evil.example", "Content-Type", "application/x-www-form-urlencoded"}},
	}
	for _, c := range changes {
		for _, w := range ways {
			var body any
			if c.body != "" {
				body = c.body
			}
			if a := call(t, c.method, s.URL+c.path, body, w.hdr...); a.Status != http.StatusForbidden {
				t.Errorf("%s %s with %s: %s, want 403", c.method, c.path, w.name, a)
			}
		}
	}
	if a := call(t, http.MethodPost, s.URL+"/admin/login", `{"password":"`+adminPassword+`"}`,
		"Origin", "https://evil.example", "Content-Type", "application/json"); a.Status != http.StatusForbidden {
		t.Errorf("login from a foreign Origin: %s, want 403", a)
	}
	// Nothing happened: the session, the key, the project and the retention are as they were.
	if a := call(t, http.MethodGet, s.URL+"/admin/api/session", nil, "Cookie", as.Cookie); a.Status != http.StatusOK {
		t.Errorf("the session ended: %s", a)
	}
	if a := call(t, http.MethodGet, s.URL+"/api/v1/projects/"+pid, nil); a.Status != http.StatusOK {
		t.Errorf("the project is gone: %s", a)
	}
	keys := call(t, http.MethodGet, s.URL+"/admin/api/keys", nil, "Cookie", as.Cookie)
	if !strings.Contains(string(keys.Body), keyID) || strings.Contains(string(keys.Body), `"evil"`) {
		t.Errorf("keys changed: %s", keys)
	}
	if strings.Contains(string(keys.Body), `"revoked_at":"`) {
		t.Errorf("a key was revoked: %s", keys)
	}
	ret := call(t, http.MethodGet, s.URL+"/admin/api/retention", nil, "Cookie", as.Cookie)
	if ret.JSON()["overridden"] == true {
		t.Errorf("retention changed: %s", ret)
	}
}
