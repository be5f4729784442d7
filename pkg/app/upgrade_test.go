package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/jobs"
	"github.com/simvid/simvid/pkg/redisx/redistest"
	"github.com/simvid/simvid/pkg/testutil"
)

// During a rolling upgrade serve and work of neighbouring releases share the queue. A
// worker runs a job written by the release before it (payload version 0: no "v" field) and
// hands a job written by a newer release back to the queue without failing its render.
func TestRollingUpgradePayloads(t *testing.T) {
	srv := redistest.StartServer(t)
	cfg := testConfig(t, srv.URL())
	base := startApp(t, cfg, app.Roles{Serve: true}) // no worker yet: the jobs wait in Redis
	c := &client{t: t, base: base}
	dir := t.TempDir()
	pics := []string{testutil.Image(t, dir, "a.jpg", 320, 240, "red"), testutil.Image(t, dir, "b.png", 320, 240, "blue")}

	newRender := func() string {
		// The settings themselves, not under "spec" (an unknown field, once dropped silently).
		r := c.json(http.MethodPost, "/api/v1/projects", map[string]any{
			"output": map[string]any{"resolution": "640x480"}, "defaults": map[string]any{"duration": 1}})
		if r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		pp := "/api/v1/projects/" + r.JSON(t)["id"].(string)
		if r = c.upload(pp+"/images", "images", pics, nil); r.Status != http.StatusOK {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		if r = c.json(http.MethodPost, pp+"/renders", nil); r.Status != http.StatusAccepted {
			t.Fatalf("render: %d %s", r.Status, r.Body)
		}
		return r.JSON(t)["id"].(string)
	}
	oldID, newID := newRender(), newRender()

	// Rewrite the two queued payloads as the neighbouring releases would have written them.
	conn, err := redis.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	list := jobs.Namespace(jobs.QueueVideo) + ":jobs:" + jobs.JobRender
	raw, err := redis.ByteSlices(conn.Do("LRANGE", list, 0, -1))
	if err != nil || len(raw) != 2 {
		t.Fatalf("queued render jobs: %d, %v", len(raw), err)
	}
	if _, err := conn.Do("DEL", list); err != nil {
		t.Fatal(err)
	}
	for _, b := range raw {
		var j map[string]any
		if err := json.Unmarshal(b, &j); err != nil {
			t.Fatal(err)
		}
		args := j["args"].(map[string]any)
		if args["render_id"] == oldID {
			delete(args, "v") // version 0: before payloads carried a version
		} else {
			args["v"] = jobs.PayloadVersion + 1
		}
		b, _ = json.Marshal(j)
		t.Logf("queued payload: %s", b)
		if _, err := conn.Do("RPUSH", list, b); err != nil {
			t.Fatal(err)
		}
	}

	wcfg := *cfg
	wcfg.Addr = ""
	startApp(t, &wcfg, app.Roles{Queues: map[string]int{"video": 1, "audio": 1}})

	// The old payload renders to a real video.
	deadline := time.Now().Add(2 * time.Minute)
	var state string
	for time.Now().Before(deadline) {
		state, _ = c.json(http.MethodGet, "/api/v1/renders/"+oldID, nil).JSON(t)["state"].(string)
		if state == "done" || state == "failed" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if state != "done" {
		t.Fatalf("render from a version-0 payload ended %q", state)
	}
	r := c.do(http.MethodGet, "/api/v1/renders/"+oldID+"/video", "", nil)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body[:64]), "ftyp") {
		t.Fatalf("video of the version-0 render: %d", r.Status)
	}

	// The newer payload is refused without being dropped or failing its render: it ends in
	// the dead set with its reason (the reconciler re-enqueues the render's record later).
	dead := jobs.Namespace(jobs.QueueVideo) + ":dead"
	var deadJobs []string
	for time.Now().Before(deadline) {
		deadJobs, _ = redis.Strings(conn.Do("ZRANGE", dead, 0, -1))
		if len(deadJobs) > 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(deadJobs) != 1 || !strings.Contains(deadJobs[0], newID) || !strings.Contains(deadJobs[0], "newer simvid") {
		t.Fatalf("dead set: %q, want the newer release's job with its reason", deadJobs)
	}
	t.Logf("newer payload handed back: %s", deadJobs[0])
	if st := c.json(http.MethodGet, "/api/v1/renders/"+newID, nil).JSON(t)["state"]; st != "queued" {
		t.Fatalf("render of the newer payload is %v, want still queued", st)
	}
}
