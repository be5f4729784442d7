package app_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/redisx/redistest"
	"github.com/simvid/simvid/pkg/store/storetest"
	"github.com/simvid/simvid/pkg/testutil"
)

// Two serve instances share redis-server and PostgreSQL; each answers status polls from its
// own cache of render statuses. A render canceled through one, and renders a worker fails or
// finishes, show their end on the very next poll of the other; a stream of a finished render
// starts with its end; a deleted project's render is gone from the other at once.
func TestStatusAcrossServeInstances(t *testing.T) {
	srv := redistest.StartServer(t)
	pg := storetest.StartServer(t)
	cfg := testConfig(t, srv.URL())
	cfg.DatabaseURL = pg.URL
	cfg.Jobs.MaxAttempts = 1
	cfgB := *cfg
	a := &client{t: t, base: startApp(t, cfg, app.Roles{Serve: true})}
	b := &client{t: t, base: startApp(t, &cfgB, app.Roles{Serve: true})}
	state := func(c *client, id string) string {
		t.Helper()
		r := c.do(http.MethodGet, "/api/v1/renders/"+id, "", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("GET render %s: %d %s", id, r.Status, r.Body)
		}
		return r.JSON(t)["state"].(string)
	}
	render := func(pid string) string {
		t.Helper()
		r := a.json(http.MethodPost, "/api/v1/projects/"+pid+"/renders", nil)
		if r.Status != http.StatusAccepted {
			t.Fatalf("render: %d %s", r.Status, r.Body)
		}
		return r.JSON(t)["id"].(string)
	}

	pid1, _ := projectWithPictures(t, a, 1)
	canceled := render(pid1)
	for range 2 { // the second answer comes from B's cache
		if st := state(b, canceled); st != "queued" {
			t.Fatalf("B shows a new render %s", st)
		}
	}
	if r := a.json(http.MethodPost, "/api/v1/renders/"+canceled+"/cancel", nil); r.Status != http.StatusAccepted {
		t.Fatalf("cancel on A: %d %s", r.Status, r.Body)
	}
	if st := state(b, canceled); st != "canceled" {
		t.Errorf("B's next poll after the cancel on A shows %s", st)
	}

	// A render that fails: its only picture is gone from the disk, with no still made of it.
	pid2 := a.json(http.MethodPost, "/api/v1/projects", map[string]any{"output": map[string]any{"resolution": "640x480"}}).JSON(t)["id"].(string)
	pic := testutil.Image(t, t.TempDir(), "lost.png", 96, 64, "purple")
	up := a.upload("/api/v1/projects/"+pid2+"/images", "images", []string{pic}, nil)
	asset := up.JSON(t)["results"].([]any)[0].(map[string]any)["slide"].(map[string]any)["asset"].(string)
	if err := os.Remove(filepath.Join(cfg.DataDir, "projects", pid2, "originals", asset)); err != nil {
		t.Fatalf("remove the original (layout changed?): %v", err)
	}
	stills, _ := filepath.Glob(filepath.Join(cfg.DataDir, "cache", "stills", "*"))
	for _, s := range stills {
		_ = os.Remove(s)
	}
	failed := render(pid2)
	pid3, _ := projectWithPictures(t, a, 2)
	done := render(pid3)
	for _, id := range []string{failed, done} {
		state(b, id)
	}
	wcfg := *cfg
	wcfg.Addr = ""
	startApp(t, &wcfg, app.Roles{Queues: map[string]int{"video": 1, "audio": 1}})
	for _, x := range []struct{ id, want string }{{failed, "failed"}, {done, "done"}} {
		seen := followSSE(t, a.base+"/api/v1/renders/"+x.id+"/events", 2*time.Minute)
		if got := seen[len(seen)-1]["state"]; got != x.want {
			t.Fatalf("render %s ended %v on A; want %s", x.id, got, x.want)
		}
		if st := state(b, x.id); st != x.want {
			t.Errorf("B's next poll after A's stream showed %s shows %s", x.want, st)
		}
	}
	if seen := followSSE(t, b.base+"/api/v1/renders/"+done+"/events", 10*time.Second); len(seen) != 1 || seen[0]["state"] != "done" {
		t.Errorf("B's stream of the finished render: %v; want one event, done", seen)
	}
	if r := b.do(http.MethodGet, "/api/v1/renders/"+done+"/video", "", nil); r.Status != http.StatusOK {
		t.Errorf("video from B: %d", r.Status)
	}

	if r := a.do(http.MethodDelete, "/api/v1/projects/"+pid3, "", nil); r.Status/100 != 2 {
		t.Fatalf("delete on A: %d %s", r.Status, r.Body)
	}
	wantError(t, b.do(http.MethodGet, "/api/v1/renders/"+done, "", nil), http.StatusNotFound, "not_found")
}
