package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
)

const idemHeader = "Idempotency-Key"

// With an API key, a retry with the same key and body gets the first answer again and does
// nothing; the same key with another body is refused (422); another key is another request.
func TestIdempotencyWithKey(t *testing.T) {
	t.Parallel()
	a := newAPI(t, withRedis(t))
	secret, _ := a.key(t, "k")
	h := append(bearer(secret), idemHeader, "order-1")

	first := a.json(t, http.MethodPost, "/api/v1/projects", `{"defaults":{"duration":4}}`, h...)
	var p1, p2 struct {
		ID string `json:"id"`
	}
	decode(t, first, http.StatusCreated, &p1)
	again := a.json(t, http.MethodPost, "/api/v1/projects", `{"defaults":{"duration":4}}`, h...)
	decode(t, again, http.StatusCreated, &p2)
	if p1.ID != p2.ID || again.Header().Get("Idempotent-Replayed") != "true" || again.Body.String() != first.Body.String() {
		t.Errorf("replay: %s (replayed %q); want the first answer %s", again.Body, again.Header().Get("Idempotent-Replayed"), first.Body)
	}
	if n := a.projects(t); n != 1 {
		t.Errorf("%d projects after a retry; want 1", n)
	}

	a.wantError(t, a.json(t, http.MethodPost, "/api/v1/projects", `{"defaults":{"duration":5}}`, h...),
		http.StatusUnprocessableEntity, simvid.EIdempotency)
	a.created(t, append(bearer(secret), idemHeader, "order-2")...)
	if n := a.projects(t); n != 2 {
		t.Errorf("%d projects; want 2 (the mismatch makes none, a new key one)", n)
	}
	// Another key's same Idempotency-Key is its own.
	other, _ := a.key(t, "other")
	decode(t, a.json(t, http.MethodPost, "/api/v1/projects", `{"defaults":{"duration":4}}`, append(bearer(other), idemHeader, "order-1")...),
		http.StatusCreated, &p2)
	if p2.ID == p1.ID {
		t.Error("another API key got the first key's answer")
	}
	a.wantError(t, a.json(t, http.MethodPost, "/api/v1/projects", "{}", append(bearer(secret), idemHeader, strings.Repeat("k", 256))...),
		http.StatusBadRequest, simvid.EInvalid)
}

// Anonymous clients may use keys only on requests that name a project: a render retried
// with the same key starts one render; a project create with a key is refused (400).
func TestIdempotencyAnonymous(t *testing.T) {
	t.Parallel()
	a := newAPI(t, withRedis(t))
	a.wantError(t, a.json(t, http.MethodPost, "/api/v1/projects", "{}", idemHeader, "k1"), http.StatusBadRequest, simvid.EInvalid)
	if n := a.projects(t); n != 0 {
		t.Fatalf("%d projects; want 0", n)
	}
	pid := a.created(t)
	a.WithSlides(t, pid, 1)
	path := "/api/v1/projects/" + pid + "/renders"
	var r1, r2 struct {
		ID string `json:"id"`
	}
	decode(t, a.json(t, http.MethodPost, path, "", idemHeader, "render-1"), http.StatusAccepted, &r1)
	rec := a.json(t, http.MethodPost, path, "", idemHeader, "render-1")
	decode(t, rec, http.StatusAccepted, &r2)
	if r1.ID != r2.ID || rec.Header().Get("Location") != "/api/v1/renders/"+r1.ID {
		t.Errorf("retry got render %s (Location %q); want %s", r2.ID, rec.Header().Get("Location"), r1.ID)
	}
	if q := a.Queue.Renders(); len(q) != 1 || len(a.Renders(t, pid)) != 1 {
		t.Errorf("a retried render: queued %v, recorded %d; want one", q, len(a.Renders(t, pid)))
	}
	// For an anonymous client another request under the same key is a request of its own.
	decode(t, a.json(t, http.MethodPost, path, `{"preview":true}`, idemHeader, "render-1"), http.StatusAccepted, &r2)
	if r2.ID == r1.ID {
		t.Error("another anonymous request got the first one's answer")
	}
}

// Refusals are kept like answers, except those a retry may do better at (429, 5xx): a
// render refused for the cap is tried again once a place is free.
func TestIdempotencyKeepsNoRetryable(t *testing.T) {
	t.Parallel()
	a := newAPI(t, withRedis(t))
	pid := a.created(t)
	a.WithSlides(t, pid, 1)
	path := "/api/v1/projects/" + pid + "/renders"
	var first struct {
		ID string `json:"id"`
	}
	decode(t, a.json(t, http.MethodPost, path, ""), http.StatusAccepted, &first)
	decode(t, a.json(t, http.MethodPost, path, ""), http.StatusAccepted, &struct{}{})
	a.wantError(t, a.json(t, http.MethodPost, path, "", idemHeader, "third"), http.StatusTooManyRequests, simvid.ERateLimited)
	a.SetRenderState(t, first.ID, simvid.StateDone)
	decode(t, a.json(t, http.MethodPost, path, "", idemHeader, "third"), http.StatusAccepted, &struct{}{})
	if n := len(a.Renders(t, pid)); n != 3 {
		t.Errorf("%d renders; want 3", n)
	}
}

// Without Redis (a serve with no pool) the header is ignored, not an error.
func TestIdempotencyWithoutRedis(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	secret, _ := a.key(t, "k")
	h := append(bearer(secret), idemHeader, "same")
	a.created(t, h...)
	a.created(t, h...)
	if n := a.projects(t); n != 2 {
		t.Errorf("%d projects; want 2", n)
	}
}
