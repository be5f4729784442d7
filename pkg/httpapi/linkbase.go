package httpapi

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// linkBase is what absolute links to this service start with, kept with a render for its
// webhook body: public_url when set; else the scheme and host the request came to, taken
// from X-Forwarded-Proto and X-Forwarded-Host only when the request came from a trusted
// proxy (anyone else could name any host). "" when the host is not a plain host[:port].
func (s *Server) linkBase(r *http.Request) string {
	if s.PublicURL != "" {
		return strings.TrimSuffix(s.PublicURL, "/")
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if s.fromTrusted(r) {
		if p := firstOf(r.Header.Get("X-Forwarded-Proto")); p == "http" || p == "https" {
			scheme = p
		}
		if h := firstOf(r.Header.Get("X-Forwarded-Host")); h != "" {
			host = h
		}
	}
	if !plainHost(host) {
		return ""
	}
	return scheme + "://" + strings.ToLower(host)
}

// fromTrusted reports whether the request's peer is a trusted proxy.
func (s *Server) fromTrusted(r *http.Request) bool {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(h)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range s.Trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// firstOf is the first of a header's comma-separated values (the client-side proxy's).
func firstOf(v string) string {
	v, _, _ = strings.Cut(v, ",")
	return strings.ToLower(strings.TrimSpace(v))
}

// plainHost accepts a host name or address with an optional port, nothing else: the value
// goes into links a receiver may follow.
func plainHost(h string) bool {
	if h == "" || len(h) > 262 {
		return false
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-:[]_", c)) {
			return false
		}
	}
	return true
}
