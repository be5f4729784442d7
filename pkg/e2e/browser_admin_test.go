package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/bench"
	"github.com/simvid/simvid/pkg/redisx/redistest"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestBrowserAdmin: an operator logs in, watches a render appear and finish, retries a dead
// job and deletes a project; a hostile file name shows as text.
func TestBrowserAdmin(t *testing.T) {
	const password = "admin password for the e2e test"
	redisURL := redistest.Start(t)
	s := startAll(t, "", "SIMVID_ADMIN_PASSWORD="+password, "SIMVID_REDIS_URL="+redisURL)
	ctx := openPage(t, 1280, 900)
	api := bench.NewClient(s.URL)
	bg := context.Background()

	dir := t.TempDir()
	evil := filepath.Join(dir, `<img src=x onerror=alert(1)>.jpg`)
	if err := os.Rename(testutil.Image(t, dir, "red.jpg", 320, 240, "red"), evil); err != nil {
		t.Fatal(err)
	}
	p, err := api.CreateProject(bg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.PatchSettings(bg, p.ID, map[string]any{"output": map[string]any{"resolution": "640x480"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.UploadImages(bg, p.ID, evil, testutil.Image(t, dir, "blue.jpg", 320, 240, "blue")); err != nil {
		t.Fatal(err)
	}

	step(t, ctx, "log in", 20*time.Second, chromedp.Navigate(s.URL+"/admin"),
		chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#dashboard")),
		chromedp.Click(chromedp.CSS(`#tabs [data-tab="renders"]`)),
		chromedp.WaitVisible(chromedp.CSS("#render-table")))
	if eval[bool](t, ctx, `document.cookie.includes('simvid_admin')`) {
		t.Fatal("the session cookie is readable from JavaScript")
	}

	r, err := api.StartRender(bg, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	row := `#render-table tr[data-id="` + r.ID + `"]`
	step(t, ctx, "the render appears and finishes live", 90*time.Second,
		until(`!!document.querySelector('`+row+`')`, 10*time.Second),
		until(`document.querySelector('`+row+` .state')?.textContent === 'done'`, 80*time.Second))

	// A dead render job, as gocraft/work leaves one after the last failed attempt.
	conn, err := redis.DialURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	died := time.Now().Unix()
	job, _ := json.Marshal(map[string]any{"name": "render", "id": "deadbeef", "t": died - 5, "fails": 5,
		"err": "ffmpeg exited with status 1", "failed_at": died, "args": map[string]any{"render_id": r.ID, "v": 1}})
	if _, err := conn.Do("ZADD", "simvid:video:dead", died, job); err != nil {
		t.Fatal(err)
	}
	shots := shotDir(t)
	step(t, ctx, "dashboard", 10*time.Second, chromedp.Click(chromedp.CSS(`#tabs [data-tab="dashboard"]`)),
		until(`!!document.querySelector('#chart-daily svg rect')`, 5*time.Second))
	shot(t, ctx, shots, "admin-dashboard.png")
	step(t, ctx, "retry the dead job", 20*time.Second,
		chromedp.Click(chromedp.CSS(`#tabs [data-tab="queues"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#queue-video .jobs-dead tr[data-job="deadbeef"] button.retry`)),
		chromedp.Click(chromedp.CSS(`#queue-video .jobs-dead tr[data-job="deadbeef"] button.retry`)),
		until(`document.querySelector('#queue-video .jobs-dead h3')?.textContent === 'dead (0)'`, 10*time.Second))
	if n, _ := redis.Int(conn.Do("ZCARD", "simvid:video:dead")); n != 0 {
		t.Fatalf("%d dead jobs left", n)
	}

	step(t, ctx, "find the project", 20*time.Second,
		chromedp.Click(chromedp.CSS(`#tabs [data-tab="projects"]`)),
		chromedp.SendKeys(chromedp.CSS("#project-q"), p.ID),
		chromedp.Click(chromedp.CSS(`#project-search button[type="submit"]`)),
		// The list may be drawn twice (tab opened, then the search): click whichever is there.
		until(`(() => { const li = document.querySelector('#project-list li[data-id="`+p.ID+`"]');
			if (li) li.click(); return !!li; })()`, 10*time.Second),
		chromedp.WaitVisible(chromedp.CSS("#project-delete")),
		until(`[...document.querySelectorAll('#project-detail .strip img')].every(i => i.complete && i.naturalWidth > 0)`, 10*time.Second))
	shot(t, ctx, shots, "admin-project.png")
	if got := eval[string](t, ctx, `document.querySelector('#project-detail .filename').textContent`); got != filepath.Base(evil) {
		t.Fatalf("file name shown as %q", got)
	}
	if eval[bool](t, ctx, `!!document.querySelector('img[src="x"]')`) {
		t.Fatal("a file name became markup")
	}
	step(t, ctx, "delete the project", 20*time.Second,
		chromedp.Click(chromedp.CSS("#project-delete")),
		chromedp.Click(chromedp.CSS("#project-delete")),
		chromedp.WaitVisible(chromedp.CSS("#delete-result")))
	if msg := eval[string](t, ctx, `document.querySelector('#delete-result').textContent`); !regexpFreed.MatchString(msg) {
		t.Fatalf("delete said %q", msg)
	}
	if _, err := api.GetProject(bg, p.ID); err == nil {
		t.Fatal("the project is still there")
	}
	step(t, ctx, "the audit log shows it", 10*time.Second,
		chromedp.Click(chromedp.CSS(`#tabs [data-tab="audit"]`)),
		until(`[...document.querySelectorAll('#audit-table td')].some(td => td.textContent === 'project.delete')`, 5*time.Second))
}

var regexpFreed = regexp.MustCompile(`^Deleted prj_\S+: [1-9][0-9.]* (B|KiB|MiB) freed\.$`)
