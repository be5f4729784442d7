package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/webhook"
)

func TestSignVerify(t *testing.T) {
	t.Parallel()
	body := []byte(`{"event":"render.done"}`)
	now := time.Unix(1767348367, 0)
	h := webhook.HeaderValue("whsec_x", now, body)
	if !strings.HasPrefix(h, "t=1767348367,v1=") || len(h) != len("t=1767348367,v1=")+64 {
		t.Fatalf("header %q", h)
	}
	if err := webhook.Verify("whsec_x", h, body, time.Minute, now.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		secret, header string
		body           []byte
		at             time.Time
	}{
		"other secret":  {"whsec_y", h, body, now},
		"changed body":  {"whsec_x", h, []byte(`{"event":"render.failed"}`), now},
		"old timestamp": {"whsec_x", h, body, now.Add(10 * time.Minute)},
		"no signature":  {"whsec_x", "t=1767348367", body, now},
		"garbage":       {"whsec_x", "hello", body, now},
	} {
		if err := webhook.Verify(tc.secret, tc.header, tc.body, time.Minute, tc.at); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestAllowed(t *testing.T) {
	t.Parallel()
	for ip, want := range map[string]bool{
		"93.184.216.34": true, "2606:4700::1111": true,
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "fd00:ec2::254": false, "100.64.0.1": false, "0.0.0.0": false,
		"::ffff:127.0.0.1": false, "224.0.0.1": false,
	} {
		if got := webhook.Allowed(netip.MustParseAddr(ip), nil); got != want {
			t.Errorf("Allowed(%s) = %v", ip, got)
		}
	}
	if !webhook.Allowed(netip.MustParseAddr("10.1.2.3"), []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}) {
		t.Error("an allowed range was refused")
	}
}

// TestSenderRefusesLoopback: the check happens when connecting, so a URL naming a public
// host that resolves to loopback is refused just the same ("localhost" here).
func TestSenderRefusesLoopback(t *testing.T) {
	t.Parallel()
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	url := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	res := webhook.NewSender(nil, 2*time.Second).Send(context.Background(), url, "s", []byte("{}"))
	if !errors.Is(res.Err, webhook.ErrForbiddenAddress) || hits != 0 {
		t.Fatalf("sent to loopback: %+v, %d hits", res, hits)
	}
	res = webhook.NewSender([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}, 2*time.Second).
		Send(context.Background(), url, "s", []byte("{}"))
	if res.Err != nil || res.Status != 200 || hits != 1 {
		t.Fatalf("allowed loopback: %+v, %d hits", res, hits)
	}
}
