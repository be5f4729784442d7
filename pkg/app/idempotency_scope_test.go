package app_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestIdempotencyAnonymousNeighbours: two anonymous clients behind one address (one NAT)
// send the guessable key of the guide in docs/programs.md. Neither ever gets the other's
// answer: not for requests that differ, not for the same request that makes a project
// (hardening issue, weak spot "idempotency scoping"). A client's own retry is still replayed.
func TestIdempotencyAnonymousNeighbours(t *testing.T) {
	base, _ := startPrograms(t, nil)
	alice, bob := &client{t: t, base: base}, &client{t: t, base: base}
	pa, imgsA := projectWithPictures(t, alice, 1)
	pb, imgsB := projectWithPictures(t, bob, 1)
	for _, c := range []*client{alice, bob} {
		c.hdr = http.Header{"Idempotency-Key": {"order-1234"}}
	}

	// The same request that makes something from nothing: bob would get alice's project.
	ra := alice.do(http.MethodPost, "/api/v1/projects", "application/json", strings.NewReader(`{}`))
	rb := bob.do(http.MethodPost, "/api/v1/projects", "application/json", strings.NewReader(`{}`))
	for _, r := range []resp{ra, rb} {
		if r.Status == http.StatusCreated && ra.Status == http.StatusCreated && rb.Status == http.StatusCreated &&
			ra.JSON(t)["id"] == rb.JSON(t)["id"] {
			t.Fatalf("bob got alice's project: %s", rb.Body)
		}
	}
	if msg := wantError(t, rb, http.StatusBadRequest, "invalid"); !strings.Contains(msg, "API key") {
		t.Fatalf("anonymous key on POST /projects: %s", msg)
	}

	// Different requests with the same key: each is its own, with its own render.
	spec := func(pid, img string) string {
		return `{"project_id":"` + pid + `","spec":{"output":{"resolution":"640x480"},"slides":[{"asset":"` + img + `","duration":0.5}]}}`
	}
	first := alice.do(http.MethodPost, "/api/v1/renders", "application/json", strings.NewReader(spec(pa, imgsA[0])))
	second := bob.do(http.MethodPost, "/api/v1/renders", "application/json", strings.NewReader(spec(pb, imgsB[0])))
	if first.Status != http.StatusAccepted || second.Status != http.StatusAccepted {
		t.Fatalf("renders: alice %d %s, bob %d %s", first.Status, first.Body, second.Status, second.Body)
	}
	if got := second.JSON(t)["project_id"]; got != pb || second.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("bob's render answer is not his own: %s (replayed %q)", second.Body, second.Header.Get("Idempotent-Replayed"))
	}
	// Alice's retry is hers again.
	again := alice.do(http.MethodPost, "/api/v1/renders", "application/json", strings.NewReader(spec(pa, imgsA[0])))
	if string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("alice's retry: %d %s", again.Status, again.Body)
	}
	// The same body on routes naming each one's own project: each gets its own answer.
	slideOf := func(c *client, pid string) string {
		return c.do(http.MethodGet, "/api/v1/projects/"+pid, "", nil).JSON(t)["slides"].([]any)[0].(map[string]any)["id"].(string)
	}
	sa, sb := slideOf(alice, pa), slideOf(bob, pb)
	d1 := alice.do(http.MethodPost, "/api/v1/projects/"+pa+"/slides/"+sa+"/duplicate", "application/json", strings.NewReader(`{}`))
	d2 := bob.do(http.MethodPost, "/api/v1/projects/"+pb+"/slides/"+sb+"/duplicate", "application/json", strings.NewReader(`{}`))
	if d1.Status != http.StatusCreated || d2.Status != http.StatusCreated || d2.JSON(t)["id"] != pb || d2.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("duplicates: alice %d %s, bob %d %s", d1.Status, d1.Body, d2.Status, d2.Body)
	}
}
