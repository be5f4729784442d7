package webhook_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/webhook"
)

// TestCheckTarget: the request-time check refuses what the sender's dialer refuses, and
// takes what api.webhook_allow lists.
func TestCheckTarget(t *testing.T) {
	t.Parallel()
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, tc := range []struct {
		url   string
		allow []netip.Prefix
		want  string // "" = taken
	}{
		{"http://127.0.0.1:8080/hook", nil, "loopback, private"},
		{"http://10.0.0.7/hook", nil, "loopback, private"},
		{"http://169.254.169.254/latest/meta-data/", nil, "loopback, private"},
		{"http://[::1]/hook", nil, "loopback, private"},
		{"http://[::ffff:10.0.0.1]/hook", nil, "loopback, private"},
		{"http://localhost:9/hook", nil, "(localhost is "},
		{"http://localhost:9/hook", loopback, ""},
		{"http://127.0.0.1:9/hook", loopback, ""},
		{"http://10.0.0.7/hook", loopback, "loopback, private"},
		{"https://93.184.215.14/hook", nil, ""},
		{"http://nothing.invalid/hook", nil, "does not resolve"},
		{"ftp://example.com/", nil, "absolute http or https"},
		{"http://user:pw@example.com/", nil, "absolute http or https"},
	} {
		err := webhook.CheckTarget(context.Background(), tc.url, tc.allow)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s (allow %v): refused: %v", tc.url, tc.allow, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s (allow %v): %v, want %q", tc.url, tc.allow, err, tc.want)
		}
	}
}
