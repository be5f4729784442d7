package faults

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
	"github.com/simvid/simvid/pkg/redisx/redistest"
)

// TestRedisMasterKilledMidRender: serve and a worker use Redis through three sentinels
// (redis+sentinel://), rate limits on as deployed. The master is killed while ffmpeg writes
// the render's frames; the sentinels promote the replica, and every pool, the worker's
// gocraft/work included, and serve's subscription follow it. The render completes whole
// (whatever the replica had not yet received, a job or a lease, the leases and the
// reconciler restore), and a render asked for after the failover completes too.
func TestRedisMasterKilledMidRender(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sen := redistest.StartSentinels(t)
	// The cluster's own redis-server is left unused: the later SIMVID_REDIS_URL wins.
	c := newCluster(t, "", append(deployedLimits, "SIMVID_REDIS_URL="+sen.URL())...)
	web := c.Serve("serve")
	work := c.Work("work")
	long := show{n: 4, w: 1280, h: 720, secs: 2.5, res: "1280x720", music: true, motion: "zoom-in"} // moving: still running at the kill
	api := bench.NewClient(web.URL)
	r, err := api.StartRender(ctx, project(t, ctx, web.URL, long))
	if err != nil {
		t.Fatal(err)
	}
	cur, err := api.WaitFrames(ctx, r.ID, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	old := sen.KillMaster()
	killed := time.Now()
	t.Logf("tried: kill the Redis master %s while render %s runs (%d of %d frames)", old, r.ID, cur.FramesDone, cur.FramesTotal)
	now := sen.WaitNewMaster(old, 20*time.Second)
	t.Logf("saw: the sentinels promoted %s %v after the kill", now, time.Since(killed).Round(10*time.Millisecond))

	for {
		ready := call(http.MethodGet, web.URL+"/readyz", nil, "")
		created := call(http.MethodPost, web.URL+"/api/v1/projects", nil, "")
		if ready.Status == http.StatusOK && created.Status == http.StatusCreated {
			t.Logf("saw: serve ready and creating projects %v after the kill", time.Since(killed).Round(10*time.Millisecond))
			break
		}
		if time.Since(killed) > 20*time.Second {
			t.Fatalf("serve did not recover within 20 s of the kill: /readyz %d %s, POST /api/v1/projects %d %s",
				ready.Status, ready.Body, created.Status, created.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	done, err := api.WaitRender(ctx, r.ID, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("saw: render %s %s %v after the kill", r.ID, done.State, time.Since(killed).Round(10*time.Millisecond))
	checkDownload(t, ctx, web.URL, r.ID, long)

	renderAfter(t, ctx, web.URL)
	for _, line := range strings.Split(work.Log.String(), "\n") {
		if strings.Contains(line, "re-enqueuing") || strings.Contains(line, "lease") {
			t.Logf("saw in the worker's log: %s", line)
		}
	}
	for _, p := range []*proc{web, work} {
		if log := p.Log.String(); strings.Contains(log, "s3cret") || strings.Contains(log, "panic") {
			t.Errorf("%s's log has a secret or a panic:\n%s", p.Name, p.Log.Tail(2000))
		}
	}
}
