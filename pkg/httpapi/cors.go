package httpapi

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
)

const (
	corsMethods = "GET, HEAD, POST, PUT, PATCH, DELETE"
	corsHeaders = "Authorization, Content-Type, Idempotency-Key"
	corsExpose  = "Location, Retry-After, X-Request-Id, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Idempotent-Replayed"
)

// cors lets pages of the configured origins call /api/v1 (and read /api/openapi.json). It
// answers preflights itself, before routing. Credentials (cookies) are never allowed: the
// API authenticates with a bearer key, and a wildcard origin must never carry them.
func (s *Server) cors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		origin := req.Header.Get("Origin")
		if origin == "" || !(strings.HasPrefix(req.URL.Path, "/api/v1/") || req.URL.Path == "/api/openapi.json") {
			return next(c)
		}
		h := c.Response().Header()
		h.Add("Vary", "Origin")
		allowed := s.originAllowed(origin, req.Host)
		if allowed {
			if slices.Contains(s.CORSOrigins, "*") {
				h.Set("Access-Control-Allow-Origin", "*")
			} else {
				h.Set("Access-Control-Allow-Origin", origin)
			}
			h.Set("Access-Control-Expose-Headers", corsExpose)
		}
		if req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if allowed {
				h.Set("Access-Control-Allow-Methods", corsMethods)
				h.Set("Access-Control-Allow-Headers", corsHeaders)
				h.Set("Access-Control-Max-Age", "600")
			}
			return c.NoContent(http.StatusNoContent)
		}
		return next(c)
	}
}

// originAllowed: the service's own origin, a configured one, or any with "*".
func (s *Server) originAllowed(origin, host string) bool {
	if u, err := url.Parse(origin); err == nil && u.Host == host {
		return true
	}
	for _, o := range s.CORSOrigins {
		if o == "*" || strings.EqualFold(strings.TrimSuffix(o, "/"), origin) {
			return true
		}
	}
	return false
}
