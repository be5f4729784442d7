package app_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/redisx/redistest"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestUnfinishedRenderCapAtomicPer64: with limits.unfinished_renders 1, two serve
// instances on one Redis and one database, and no worker (renders stay queued), ten
// render requests sent at once from ten addresses of one IPv6 /64 (through a trusted
// proxy) start exactly one render, round after round: the cap counts the /64 as the rate
// limits do, and the count and the insert are one step across both instances. Another /64
// still renders.
func TestUnfinishedRenderCapAtomicPer64(t *testing.T) {
	url := redistest.Start(t)
	cfg := testConfig(t, url)
	cfg.Limits.UnfinishedRenders = 1
	cfg.RateLimits.Enabled = false
	cfg.TrustedProxies = []string{"127.0.0.1"}
	bases := []string{startApp(t, cfg, app.Roles{Serve: true})}
	cfg2 := *cfg
	bases = append(bases, startApp(t, &cfg2, app.Roles{Serve: true}))

	c := &client{t: t, base: bases[0]}
	pid := c.json(http.MethodPost, "/api/v1/projects", nil).JSON(t)["id"].(string)
	pic := testutil.Image(t, t.TempDir(), "a.png", 160, 120, "red")
	if r := c.upload("/api/v1/projects/"+pid+"/images", "images", []string{pic}, nil); r.Status != 200 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	render := func(base, ip string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/projects/"+pid+"/renders", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", ip)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}

	const rounds, burst = 6, 10
	for round := range rounds {
		var wg sync.WaitGroup
		statuses := make([]int, burst)
		bodies := make([]string, burst)
		start := make(chan struct{})
		for i := range burst {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				statuses[i], bodies[i] = render(bases[i%2], fmt.Sprintf("2001:db8:%x:1::%x", round, i+1))
			}()
		}
		close(start)
		wg.Wait()
		accepted := 0
		for i, st := range statuses {
			switch st {
			case http.StatusAccepted:
				accepted++
			case http.StatusTooManyRequests:
				if !strings.Contains(bodies[i], "videos being made") {
					t.Errorf("round %d request %d: 429 without the reason: %s", round, i, bodies[i])
				}
			default:
				t.Fatalf("round %d request %d: %d %s", round, i, st, bodies[i])
			}
		}
		if accepted != 1 {
			t.Fatalf("round %d: %d of %d simultaneous requests from one /64 started a render, want 1 (cap 1): %v", round, accepted, burst, statuses)
		}
		t.Logf("round %d: %d requests at once from 2001:db8:%x:1::/64 on two instances: 1 accepted, %d refused", round, burst, round, burst-1)
	}
	// One by one: a second address of a /64 is refused, another /64 and IPv4 render.
	if st, body := render(bases[0], "2001:db8:aa:1::1"); st != http.StatusAccepted {
		t.Fatalf("first render of a fresh /64: %d %s", st, body)
	}
	if st, body := render(bases[1], "2001:db8:aa:1:ffff:ffff:ffff:fffe"); st != http.StatusTooManyRequests {
		t.Fatalf("second address of the same /64: %d %s, want 429", st, body)
	}
	if st, body := render(bases[1], "2001:db8:aa:2::1"); st != http.StatusAccepted {
		t.Fatalf("neighbouring /64: %d %s, want 202", st, body)
	}
	if st, body := render(bases[0], "198.51.100.7"); st != http.StatusAccepted {
		t.Fatalf("IPv4 client: %d %s, want 202", st, body)
	}
	if st, body := render(bases[0], "198.51.100.8"); st != http.StatusAccepted {
		t.Fatalf("IPv4 neighbour (counted by its own address): %d %s, want 202", st, body)
	}
}
