//go:build scale

package scaletest

import (
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
)

// otherLimit is rate_limits.other for the run: small, so that exhausting it is quick; a user
// spends 3 of it (create, settings, and the poller phase's settings).
const otherLimit = 20

// post sends POST /api/v1/projects from hc with an optional forged X-Forwarded-For and
// returns the status and whether simvid (not nginx) answered a 429: simvid's carry
// X-RateLimit-Limit.
func post(t *testing.T, hc *http.Client, base, forged string) (int, bool) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/projects", nil)
	if forged != "" {
		req.Header.Set("X-Forwarded-For", forged)
	}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatalf("POST %s/api/v1/projects: %v", base, err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	ours := res.Header.Get("X-RateLimit-Limit") != "" && res.Header.Get("Retry-After") != ""
	return res.StatusCode, ours
}

// checkRateLimits shows that the limits live in Redis and follow the real client: one client
// sending straight to the three instances is refused by all of them after otherLimit
// requests in total, whatever X-Forwarded-For it forges; behind nginx two clients are
// counted apart, and a forged header there changes nothing either.
func checkRateLimits(t *testing.T, top *topology) {
	t.Helper()
	direct := bench.HTTPFrom("127.0.0.50", 10*time.Second)
	ok := 0
	for i := 0; i < 3*otherLimit; i++ {
		st, _ := post(t, direct, top.Direct[i%len(top.Direct)], fmt.Sprintf("127.3.3.%d", i+1))
		if st == http.StatusCreated {
			ok++
		}
	}
	t.Logf("rate limits: one client straight to %d instances, a new forged X-Forwarded-For each time: %d of %d created (limit %d per hour)",
		len(top.Direct), ok, 3*otherLimit, otherLimit)
	if ok != otherLimit {
		t.Errorf("rate limit across instances: %d creations allowed; want exactly %d (one shared count, X-Forwarded-For ignored from an untrusted peer)", ok, otherLimit)
	}
	for i, d := range top.Direct {
		if st, ours := post(t, direct, d, ""); st != http.StatusTooManyRequests || !ours {
			t.Errorf("serve-%d let the exhausted client through: %d", i+1, st)
		}
	}

	a, b := bench.HTTPFrom("127.0.0.51", 10*time.Second), bench.HTTPFrom("127.0.0.52", 10*time.Second)
	ok, refused := 0, 0
	for i := 0; i < otherLimit+3; i++ {
		time.Sleep(150 * time.Millisecond) // under nginx's own 10 r/s per address
		st, ours := post(t, a, top.Front, fmt.Sprintf("127.4.4.%d", i+1))
		switch {
		case st == http.StatusCreated:
			ok++
		case st == http.StatusTooManyRequests && ours:
			refused++
		default:
			t.Errorf("client A through nginx: request %d answered %d", i+1, st)
		}
	}
	st, _ := post(t, b, top.Front, "")
	t.Logf("rate limits through nginx: client A %d created, %d refused by simvid; client B then: %d", ok, refused, st)
	if ok != otherLimit || refused != 3 || st != http.StatusCreated {
		t.Errorf("behind nginx: A got %d created and %d refused (want %d and 3); B got %d (want 201)", ok, refused, otherLimit, st)
	}
}
