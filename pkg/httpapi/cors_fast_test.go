package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/httpapi"
)

func TestHealth(t *testing.T) {
	t.Parallel()
	down := errors.New("redis: dial tcp 10.0.0.7:6379: connection refused")
	a := newAPI(t, withHTTP(func(d *httpapi.Deps) { d.Ready = func(context.Context) error { return down } }))
	var h struct{ Status string }
	decode(t, a.json(t, http.MethodGet, "/healthz", ""), http.StatusOK, &h)
	if h.Status != "ok" {
		t.Errorf("healthz: %q", h.Status)
	}
	rec := a.json(t, http.MethodGet, "/readyz", "")
	decode(t, rec, http.StatusServiceUnavailable, &h)
	if h.Status != "not ready" || strings.Contains(rec.Body.String(), "10.0.0.7") {
		t.Errorf("readyz with a dependency down: %s; want not ready, without the cause's insides", rec.Body)
	}
	for _, hdr := range []string{"X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy"} {
		if rec.Header().Get(hdr) == "" {
			t.Errorf("no %s header", hdr)
		}
	}
}

// Browsers of the configured origins may call the API (answers carry their origin, and
// preflights the methods and headers); other origins get no grant. Preflights are answered
// before routing and authentication.
func TestCORS(t *testing.T) {
	t.Parallel()
	a := newAPI(t, withHTTP(func(d *httpapi.Deps) { d.CORSOrigins = []string{"https://app.example"} }))
	preflight := func(origin string) http.Header {
		rec := a.do(t, req{method: http.MethodOptions, path: "/api/v1/projects",
			header: []string{"Origin", origin, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "Idempotency-Key"}})
		if rec.Code != http.StatusNoContent {
			t.Errorf("preflight from %s: %d", origin, rec.Code)
		}
		return rec.Header()
	}
	h := preflight("https://app.example")
	if h.Get("Access-Control-Allow-Origin") != "https://app.example" || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
		!strings.Contains(h.Get("Access-Control-Allow-Headers"), "Idempotency-Key") || h.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("preflight of an allowed origin: %v", h)
	}
	if h := preflight("https://evil.example"); h.Get("Access-Control-Allow-Origin") != "" || h.Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("preflight of another origin was granted: %v", h)
	}
	rec := a.json(t, http.MethodGet, "/api/v1/capabilities", "", "Origin", "https://app.example")
	if rec.Code != http.StatusOK || rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example" ||
		!strings.Contains(rec.Header().Get("Access-Control-Expose-Headers"), "Location") {
		t.Errorf("GET from an allowed origin: %d %v", rec.Code, rec.Header())
	}
	// An error answer to an allowed origin carries the grant too, so its page can read it.
	rec = a.json(t, http.MethodGet, "/api/v1/projects/nope", "", "Origin", "https://app.example")
	if rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("404 to an allowed origin without the grant: %v", rec.Header())
	}
	rec = a.json(t, http.MethodGet, "/api/v1/capabilities", "", "Origin", "https://evil.example")
	if rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("GET from another origin was granted: %v", rec.Header())
	}

	any := newAPI(t, withHTTP(func(d *httpapi.Deps) { d.CORSOrigins = []string{"*"} }))
	rec = any.json(t, http.MethodGet, "/api/v1/capabilities", "", "Origin", "https://whoever.example")
	if rec.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf(`origins "*": %v`, rec.Header())
	}
}
