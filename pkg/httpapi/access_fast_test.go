package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/simvid/simvid/pkg/httpapi"
	"github.com/simvid/simvid/pkg/simvid"
)

// A key's projects and renders are the key's: to anyone else they do not exist (404), and
// nothing anyone else asks changes them.
func TestOwnership(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	secretA, idA := a.key(t, "a")
	secretB, _ := a.key(t, "b")
	pid := a.created(t, bearer(secretA)...)
	if p := a.Stored(t, pid); p.OwnerKey != idA {
		t.Fatalf("owner %q; want %q", p.OwnerKey, idA)
	}
	slide := a.WithSlides(t, pid, 1).Spec.Slides[0].ID
	var r struct {
		ID string `json:"id"`
	}
	decode(t, a.json(t, http.MethodPost, "/api/v1/projects/"+pid+"/renders", "", bearer(secretA)...), http.StatusAccepted, &r)
	before := a.Stored(t, pid)

	for _, o := range []struct {
		who    string
		header []string
	}{{"another key", bearer(secretB)}, {"no key", nil}} {
		t.Run(o.who, func(t *testing.T) {
			for _, c := range []struct{ method, path, body string }{
				{"GET", "/api/v1/projects/" + pid, ""},
				{"DELETE", "/api/v1/projects/" + pid, ""},
				{"PATCH", "/api/v1/projects/" + pid + "/settings", `{"defaults":{"duration":5}}`},
				{"PATCH", "/api/v1/projects/" + pid + "/slides/" + slide, `{"caption":"mine now"}`},
				{"DELETE", "/api/v1/projects/" + pid + "/slides/" + slide, ""},
				{"POST", "/api/v1/projects/" + pid + "/renders", ""},
				{"GET", "/api/v1/projects/" + pid + "/renders", ""},
				{"GET", "/api/v1/renders/" + r.ID, ""},
				{"POST", "/api/v1/renders/" + r.ID + "/cancel", ""},
				{"GET", "/api/v1/renders/" + r.ID + "/video", ""},
			} {
				rec := a.json(t, c.method, c.path, c.body, o.header...)
				if rec.Code != http.StatusNotFound {
					t.Errorf("%s %s: %d; want 404", c.method, c.path, rec.Code)
					continue
				}
				a.wantError(t, rec, http.StatusNotFound, simvid.ENotFound)
			}
			a.Unchanged(t, before)
		})
	}
	if rs := a.Renders(t, pid); len(rs) != 1 || rs[0].State != simvid.StateQueued {
		t.Errorf("renders after others' requests: %d, first %s", len(rs), rs[0].State)
	}
	// The owner sees and changes its own.
	decode(t, a.json(t, http.MethodGet, "/api/v1/projects/"+pid, "", bearer(secretA)...), http.StatusOK, &struct{}{})
	if rec := a.json(t, http.MethodDelete, "/api/v1/projects/"+pid, "", bearer(secretA)...); rec.Code != http.StatusNoContent {
		t.Errorf("owner's delete: %d %s", rec.Code, rec.Body)
	}
	if _, err := a.Store.GetProject(context.Background(), pid); !simvid.IsCode(err, simvid.ENotFound) {
		t.Errorf("project after its owner deleted it: %v", err)
	}
}

// A Bearer secret that is no key is refused (401 with a challenge) on every route, even
// where no key is needed; another scheme passes by (a proxy's Basic auth).
func TestBadKey(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	for _, auth := range []string{"Bearer sk_not_a_key", "bearer ", "Bearer"} {
		rec := a.json(t, http.MethodPost, "/api/v1/projects", "{}", "Authorization", auth)
		a.wantError(t, rec, http.StatusUnauthorized, simvid.EUnauthorized)
		if rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%q: no WWW-Authenticate challenge", auth)
		}
	}
	if n := a.projects(t); n != 0 {
		t.Errorf("%d projects made with bad keys", n)
	}
	decode(t, a.json(t, http.MethodPost, "/api/v1/projects", "{}", "Authorization", "Basic dXNlcjpwYXNz"), http.StatusCreated, &struct{}{})

	// A revoked key stops working at once.
	secret, id := a.key(t, "gone")
	a.created(t, bearer(secret)...)
	if _, err := a.keys.Revoke(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	a.wantError(t, a.json(t, http.MethodPost, "/api/v1/projects", "{}", bearer(secret)...), http.StatusUnauthorized, simvid.EUnauthorized)

	// Without API keys configured a Bearer header is refused too.
	none := newAPI(t, withHTTP(func(d *httpapi.Deps) { d.Keys = nil }))
	none.wantError(t, none.json(t, http.MethodGet, "/api/v1/capabilities", "", bearer(secret)...), http.StatusUnauthorized, simvid.EUnauthorized)
}

// Private mode: making projects and renders needs a key or an admin session; reading an
// anonymous project by its id does not.
func TestPrivateMode(t *testing.T) {
	t.Parallel()
	admin := false
	a := newAPI(t, withHTTP(func(d *httpapi.Deps) {
		d.Private = true
		d.AdminSession = func(*http.Request) bool { return admin }
	}))
	a.wantError(t, a.json(t, http.MethodPost, "/api/v1/projects", "{}"), http.StatusUnauthorized, simvid.ELoginRequired)
	if n := a.projects(t); n != 0 {
		t.Fatalf("private mode made %d projects anonymously", n)
	}
	secret, _ := a.key(t, "k")
	a.created(t, bearer(secret)...)
	admin = true
	pid := a.created(t)
	admin = false
	a.WithSlides(t, pid, 1)
	a.wantError(t, a.json(t, http.MethodPost, "/api/v1/projects/"+pid+"/renders", ""), http.StatusUnauthorized, simvid.ELoginRequired)
	decode(t, a.json(t, http.MethodGet, "/api/v1/projects/"+pid, ""), http.StatusOK, &struct{}{})
	if rs := a.Renders(t, pid); len(rs) != 0 {
		t.Errorf("private mode rendered anonymously: %d", len(rs))
	}
}
