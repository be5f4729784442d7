package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"
	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/redisx/redistest"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

// TestAdminCleanupSparesUnfinished: the manual cleanup (and its dry run) never removes a
// project with an unfinished render, and follows the retention setting.
func TestAdminCleanupSparesUnfinished(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.Admin.Password = adminPassword
	base := startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: true, Queues: map[string]int{}})
	a := &adminClient{t: t, base: base}
	a.login()
	ctx := context.Background()
	st, err := store.Open(ctx, "", cfg.DataDir, zaptest.NewLogger(t)) // the app's own SQLite file
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	old := time.Now().Add(-40 * 24 * time.Hour)
	mk := func(state simvid.RenderState) string {
		p := &simvid.Project{ID: simvid.NewID(simvid.PrefixProject), CreatedAt: old, UpdatedAt: old}
		if err := st.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		if state != "" {
			r := &simvid.Render{ID: simvid.NewID(simvid.PrefixRender), ProjectID: p.ID, State: state, CreatedAt: old}
			if err := st.CreateRender(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		return p.ID
	}
	idle, finished, busy := mk(""), mk(simvid.StateDone), mk(simvid.StateRendering)
	fresh := mk("")
	_, _ = st.UpdateProject(ctx, fresh, func(*simvid.Project) error { return nil })

	ids := func(m map[string]any) string {
		var out []string
		for _, p := range m["projects"].([]any) {
			out = append(out, p.(map[string]any)["id"].(string))
		}
		return strings.Join(out, ",")
	}
	want := map[string]bool{idle: true, finished: true}
	dry := a.want(a.do("POST", "/admin/api/cleanup", map[string]any{"dry_run": true}, true), 200)
	if got := ids(dry); len(strings.Split(got, ",")) != 2 || !want[strings.Split(got, ",")[0]] || !want[strings.Split(got, ",")[1]] {
		t.Fatalf("dry run lists %s; want %s and %s only", got, idle, finished)
	}
	for _, id := range []string{idle, finished, busy, fresh} { // the dry run removed nothing
		if _, err := st.GetProject(ctx, id); err != nil {
			t.Fatalf("dry run removed %s: %v", id, err)
		}
	}
	// 60 days: nothing is old enough.
	a.want(a.do("PUT", "/admin/api/retention", map[string]any{"days": 60}, true), 200)
	if got := ids(a.want(a.do("POST", "/admin/api/cleanup", map[string]any{"dry_run": true}, true), 200)); got != "" {
		t.Fatalf("with 60 days the dry run lists %s", got)
	}
	ret := a.want(a.do("PUT", "/admin/api/retention", map[string]any{"days": 30}, true), 200)
	if ret["project_ttl"] != "720h0m0s" || ret["overridden"] != true {
		t.Fatalf("retention: %v", ret)
	}
	if v, err := st.GetSetting(ctx, store.SettingProjectTTL); err != nil || v != "720h0m0s" {
		t.Fatalf("setting the workers read: %q %v", v, err)
	}
	run := a.want(a.do("POST", "/admin/api/cleanup", map[string]any{}, true), 200)
	if len(run["projects"].([]any)) != 2 {
		t.Fatalf("cleanup: %v", run)
	}
	for id, kept := range map[string]bool{idle: false, finished: false, busy: true, fresh: true} {
		_, err := st.GetProject(ctx, id)
		if kept != (err == nil) {
			t.Fatalf("project %s kept=%v after cleanup: %v", id, kept, err)
		}
	}
	off := a.want(a.do("PUT", "/admin/api/retention", map[string]any{"days": 0}, true), 200)
	if off["days"].(float64) != 0 || !strings.Contains(string(a.do("POST", "/admin/api/cleanup", nil, true).Body), "retention is off") {
		t.Fatalf("retention off: %v", off)
	}
	wantError(t, a.do("PUT", "/admin/api/retention", map[string]any{"days": -1}, true), 422, "unprocessable")
	def := a.want(a.do("PUT", "/admin/api/retention", map[string]any{"default": true}, true), 200)
	if def["overridden"] != false || def["days"].(float64) != 30 {
		t.Fatalf("default retention: %v", def)
	}
}

// TestAdminDeadJobs: a dead render job is listed, retried (its render queued again) or
// deleted, through gocraft/work's client on a real redis-server.
func TestAdminDeadJobs(t *testing.T) {
	url := redistest.Start(t)
	cfg := testConfig(t, url)
	cfg.Admin.Password = adminPassword
	base := startApp(t, cfg, app.Roles{Serve: true, Queues: map[string]int{}})
	a := &adminClient{t: t, base: base}
	a.login()
	ctx := context.Background()
	st, err := store.Open(ctx, "", cfg.DataDir, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := &simvid.Project{ID: simvid.NewID(simvid.PrefixProject)}
	_ = st.CreateProject(ctx, p)
	fin := time.Now()
	r := &simvid.Render{ID: simvid.NewID(simvid.PrefixRender), ProjectID: p.ID, State: simvid.StateFailed,
		Error: "the job failed repeatedly", ErrorDetail: "ffmpeg: boom", Attempts: 5, FinishedAt: &fin}
	_ = st.CreateRender(ctx, r)

	conn, err := redis.DialURL(url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	died := time.Now().Unix()
	for i, id := range []string{"job-a", "job-b"} {
		job, _ := json.Marshal(map[string]any{"name": "render", "id": id, "t": died - 60, "fails": 5, "err": "boom",
			"failed_at": died, "args": map[string]any{"render_id": r.ID, "v": 1}})
		if _, err := conn.Do("ZADD", "simvid:video:dead", died+int64(i), job); err != nil {
			t.Fatal(err)
		}
	}
	queue := func() map[string]any {
		qs := a.want(a.do("GET", "/admin/api/queues", nil, false), 200)["queues"].([]any)
		return qs[0].(map[string]any)
	}
	q := queue()
	if q["name"] != "video" || q["dead_count"].(float64) != 2 || q["dead"].([]any)[0].(map[string]any)["error"] != "boom" {
		t.Fatalf("queue view: %v", q)
	}
	a.want(a.do("POST", "/admin/api/queues/video/dead/delete", map[string]any{"at": died, "id": "job-a"}, true), 200)
	wantError(t, a.do("POST", "/admin/api/queues/video/dead/delete", map[string]any{"at": died, "id": "job-a"}, true), 404, "not_found")
	a.want(a.do("POST", "/admin/api/queues/video/dead/retry", map[string]any{"at": died + 1, "id": "job-b"}, true), 200)
	q = queue()
	if q["dead_count"].(float64) != 0 || q["depth"].(float64) != 1 {
		t.Fatalf("after retry: %v", q)
	}
	got, _ := st.GetRender(ctx, r.ID)
	if got.State != simvid.StateQueued || got.Attempts != 0 || got.Error != "" || got.FinishedAt != nil {
		t.Fatalf("retried render record: %+v", got)
	}
	wantError(t, a.do("POST", "/admin/api/queues/nope/dead/retry", map[string]any{"all": true}, true), 404, "not_found")
	wantError(t, a.do("POST", "/admin/api/queues/video/retry/retry", map[string]any{"all": true}, true), 400, "invalid")
}
