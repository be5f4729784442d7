package faults

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
)

// Rate limits on, as deployed (they live in Redis), with room for a test's requests.
var deployedLimits = []string{"SIMVID_RATE_LIMITS_ENABLED=true", "SIMVID_RATE_LIMITS_UPLOAD=10000-H",
	"SIMVID_RATE_LIMITS_RENDER=10000-H", "SIMVID_RATE_LIMITS_READ=100000-H",
	"SIMVID_RATE_LIMITS_OTHER=100000-H", "SIMVID_RATE_LIMITS_OTHER_DAILY=100000-D"}

// outage takes a dependency away (down), for hold, in the middle of one running render and
// one queued render, checks that serve answers 503 with a JSON error meanwhile, brings it
// back (up) and checks that serve recovers by itself and both renders end done and whole.
func outage(t *testing.T, what string, down, up func(*cluster)) {
	c := newCluster(t, "", deployedLimits...)
	web := c.Serve("serve")
	work := c.Work("work")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	long := show{n: 8, w: 1280, h: 720, secs: 3, res: "1280x720", music: true, motion: "zoom-in"} // moving: still running when taken down
	short := show{n: 3, w: 640, h: 360, secs: 2, res: "640x480"}
	api := bench.NewClient(web.URL)
	a, err := api.StartRender(ctx, project(t, ctx, web.URL, long))
	if err != nil {
		t.Fatal(err)
	}
	b, err := api.StartRender(ctx, project(t, ctx, web.URL, short))
	if err != nil {
		t.Fatal(err)
	}
	cur, err := api.WaitFrames(ctx, a.ID, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tried: take %s away while render %s runs (%d of %d frames) and render %s waits in the queue",
		what, a.ID, cur.FramesDone, cur.FramesTotal, b.ID)
	down(c)
	wentDown := time.Now()

	probes := []struct{ method, path string }{
		{http.MethodGet, "/readyz"}, {http.MethodPost, "/api/v1/projects"}, {http.MethodGet, "/api/v1/renders/" + a.ID},
	}
	for _, p := range probes {
		ans := call(p.method, web.URL+p.path, nil, "")
		t.Logf("saw while %s is down: %s %s -> %d %s (%v)", what, p.method, p.path, ans.Status, ans.Body, ans.Err)
		if p.path == "/readyz" {
			if ans.Status != http.StatusServiceUnavailable || !strings.Contains(ans.Body, `"error"`) {
				t.Errorf("/readyz with %s down answered %d %s; want 503 with a JSON error", what, ans.Status, ans.Body)
			}
			continue
		}
		if p.method == http.MethodPost {
			code, msg, ok := errorJSON(ans.Body)
			if ans.Status != http.StatusServiceUnavailable || !ok || code != "unavailable" || msg == "" {
				t.Errorf("%s %s with %s down answered %d %s; want 503 with a JSON unavailable error", p.method, p.path, what, ans.Status, ans.Body)
			}
		}
		if ans.Status >= 500 && ans.Status != http.StatusServiceUnavailable {
			t.Errorf("%s %s with %s down answered %d; a missing dependency is a 503", p.method, p.path, what, ans.Status)
		}
	}
	time.Sleep(time.Until(wentDown.Add(3 * time.Second))) // longer than a lease
	up(c)
	back := time.Now()
	t.Logf("tried: %s back after %v", what, back.Sub(wentDown).Round(10*time.Millisecond))

	for {
		ready := call(http.MethodGet, web.URL+"/readyz", nil, "")
		created := call(http.MethodPost, web.URL+"/api/v1/projects", nil, "")
		if ready.Status == http.StatusOK && created.Status == http.StatusCreated {
			t.Logf("saw: serve ready and creating projects again %v after %s came back", time.Since(back).Round(10*time.Millisecond), what)
			break
		}
		if time.Since(back) > 20*time.Second {
			t.Fatalf("serve did not recover within 20 s of %s coming back: /readyz %d %s, POST /api/v1/projects %d %s",
				what, ready.Status, ready.Body, created.Status, created.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, r := range []struct {
		id string
		s  show
	}{{a.ID, long}, {b.ID, short}} {
		done, err := api.WaitRender(ctx, r.id, 100*time.Millisecond)
		if err != nil {
			t.Fatalf("render %s after the %s outage: %v", r.id, what, err)
		}
		t.Logf("saw: render %s %s %v after %s came back", r.id, done.State, time.Since(back).Round(10*time.Millisecond), what)
		checkDownload(t, ctx, web.URL, r.id, r.s)
	}
	for _, line := range strings.Split(work.Log.String(), "\n") {
		if strings.Contains(line, "re-enqueuing") {
			t.Logf("saw the reconciler: %s", line)
		}
	}
}

// TestRedisRestart: redis-server is killed mid-render and started again empty on the same
// port. The queued render's job is gone with it; the reconciler enqueues it again from
// PostgreSQL.
func TestRedisRestart(t *testing.T) {
	outage(t, "Redis", func(c *cluster) { c.Redis.Stop() }, func(c *cluster) { c.Redis.Start() })
}

// TestPostgresRestart: PostgreSQL shuts down mid-render and starts again on the same port
// with the same data.
func TestPostgresRestart(t *testing.T) {
	outage(t, "PostgreSQL", func(c *cluster) { c.PG.Stop() }, func(c *cluster) { c.PG.Start() })
}
