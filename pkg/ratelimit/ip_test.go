package ratelimit_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/ratelimit"
	"github.com/simvid/simvid/pkg/simvid"
)

func TestMiddlewareTrustsForwardedForOnlyFromProxies(t *testing.T) {
	pool := newPool(t, backends[0].start(t))
	e := newEcho(newLimiter(t, pool, testConfig()), "127.0.0.1/32")
	// An untrusted peer forging a new X-Forwarded-For each time is still one client.
	for i := range 4 {
		rec := hit(e, http.MethodPost, "/upload", "203.0.113.50", "10.0.0."+strconv.Itoa(i))
		if want := map[bool]int{true: 200, false: 429}[i < 3]; rec.Code != want {
			t.Fatalf("forged request %d: %d, want %d", i, rec.Code, want)
		}
	}
	// Behind the trusted proxy each forwarded client has its own limit, and the right-most
	// untrusted address counts: a client prepending a fake address does not escape.
	for i := range 3 {
		for _, xff := range []string{"198.51.100.1", "198.51.100.2", "6.6.6." + strconv.Itoa(i) + ", 198.51.100.3"} {
			if rec := hit(e, http.MethodPost, "/upload", "127.0.0.1", xff); rec.Code != 200 {
				t.Fatalf("round %d, client %s: %d", i, xff, rec.Code)
			}
		}
	}
	for _, xff := range []string{"198.51.100.1", "198.51.100.2", "7.7.7.7, 198.51.100.3"} {
		if rec := hit(e, http.MethodPost, "/upload", "127.0.0.1", xff); rec.Code != 429 {
			t.Fatalf("4th upload of %s: %d, want 429", xff, rec.Code)
		}
	}
	// With no trusted proxy even loopback's X-Forwarded-For is ignored.
	plain := newEcho(newLimiter(t, pool, testConfig()))
	for i := range 4 {
		rec := hit(plain, http.MethodGet, "/other", "127.0.0.2", "198.51.100."+strconv.Itoa(10+i))
		if want := map[bool]int{true: 200, false: 429}[i < 4]; rec.Code != want {
			t.Fatalf("untrusted loopback request %d: %d", i, rec.Code)
		}
	}
	if rec := hit(plain, http.MethodGet, "/other", "127.0.0.2", "198.51.100.99"); rec.Code != 429 {
		t.Fatalf("5th request from 127.0.0.2 with a new XFF: %d, want 429", rec.Code)
	}
}

func TestClientKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":          "203.0.113.7",
		"::ffff:203.0.113.7":   "203.0.113.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"fe80::1%eth0":         "fe80::/64",
		"":                     "unknown",
		"not-an-ip":            "unknown",
	} {
		if got := ratelimit.ClientKey(in); got != want {
			t.Errorf("ClientKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseTrusted(t *testing.T) {
	got, err := ratelimit.ParseTrusted("trusted_proxies", []string{"127.0.0.1", " 10.1.2.3/8", "::1", "::ffff:192.168.0.0/112", ""})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"127.0.0.1/32", "10.0.0.0/8", "::1/128", "192.168.0.0/16"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("entry %d = %s, want %s", i, got[i], want[i])
		}
	}
	_, err = ratelimit.ParseTrusted("trusted_proxies", []string{"10.0.0.0/33"})
	if !simvid.IsCode(err, simvid.EInvalid) || !strings.Contains(simvid.ErrorMessage(err), "trusted_proxies") {
		t.Fatalf("bad range: %v", err)
	}
}
