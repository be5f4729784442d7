package admin

import (
	"crypto/tls"
	"net/http/httptest"
	"net/netip"
	"testing"
)

// The session cookie is Secure when the client came over TLS: directly, or through a
// trusted proxy's X-Forwarded-Proto; anyone else's header is not believed.
func TestOverTLS(t *testing.T) {
	a := &Admin{Deps: Deps{Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}
	for _, tc := range []struct {
		remote, proto string
		tls, want     bool
	}{
		{"10.1.2.3:5000", "https", false, true},
		{"[::ffff:10.1.2.3]:5000", "https", false, true},
		{"10.1.2.3:5000", "http", false, false},
		{"203.0.113.9:5000", "https", false, false},
		{"203.0.113.9:5000", "", true, true},
		{"203.0.113.9:5000", "", false, false},
	} {
		r := httptest.NewRequest("GET", "/admin", nil)
		r.RemoteAddr = tc.remote
		if tc.proto != "" {
			r.Header.Set("X-Forwarded-Proto", tc.proto)
		}
		if tc.tls {
			r.TLS = &tls.ConnectionState{}
		}
		if got := a.overTLS(r); got != tc.want {
			t.Errorf("%s proto=%q tls=%v: overTLS = %v, want %v", tc.remote, tc.proto, tc.tls, got, tc.want)
		}
	}
}
