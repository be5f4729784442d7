package app_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/testutil"
)

const evilName = `<img src=x onerror=alert(1)><script>.png`

// waitRender polls the admin API until the render has finished.
func (a *adminClient) waitRender(id string) map[string]any {
	a.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		r := a.want(a.do("GET", "/admin/api/renders/"+id, nil, false), http.StatusOK)
		if simvid.RenderState(r["state"].(string)).Finished() {
			return r
		}
		time.Sleep(100 * time.Millisecond)
	}
	a.t.Fatalf("render %s did not finish", id)
	return nil
}

func TestAdminRendersAndProjects(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.Admin.Password = adminPassword
	base := startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: true})
	a := &adminClient{t: t, base: base}
	a.login()
	c := &client{t: t, base: base}
	dir := t.TempDir()
	img := testutil.Image(t, dir, "red.png", 320, 240, "red")
	evil := filepath.Join(dir, evilName)
	if err := os.Rename(img, evil); err != nil {
		t.Fatal(err)
	}
	pid := c.json("POST", "/api/v1/projects", map[string]any{"output": map[string]any{"resolution": "640x480"}}).JSON(t)["id"].(string)
	r := c.upload("/api/v1/projects/"+pid+"/images", "images", []string{evil}, nil)
	slide := r.JSON(t)["project"].(map[string]any)["slides"].([]any)[0].(map[string]any)["id"].(string)
	c.json("PATCH", "/api/v1/projects/"+pid+"/slides/"+slide, map[string]any{"duration": 1, "caption": "<script>alert(2)</script>"})
	rid := c.json("POST", "/api/v1/projects/"+pid+"/renders", nil).JSON(t)["id"].(string)

	done := a.waitRender(rid)
	if done["state"] != "done" || done["worker"] == "" || done["render_s"] == nil {
		t.Fatalf("render: %v", done)
	}
	list := a.want(a.do("GET", "/admin/api/renders?state=done,failed&project="+pid, nil, false), 200)["renders"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["id"] != rid {
		t.Fatalf("filtered renders: %v", list)
	}
	tomorrow := time.Now().Add(24 * time.Hour).Format("2006-01-02")
	if l := a.want(a.do("GET", "/admin/api/renders?since="+tomorrow, nil, false), 200)["renders"].([]any); len(l) != 0 {
		t.Fatalf("renders since tomorrow: %v", l)
	}
	wantError(t, a.do("GET", "/admin/api/renders?since=yesterday", nil, false), 400, "invalid")
	wantError(t, a.do("POST", "/admin/api/renders/"+rid+"/cancel", nil, true), http.StatusConflict, "conflict")

	// Retry runs the frozen spec again as a new render.
	nr := a.want(a.do("POST", "/admin/api/renders/"+rid+"/retry", nil, true), http.StatusCreated)
	if nr["id"] == rid || a.waitRender(nr["id"].(string))["state"] != "done" {
		t.Fatalf("retry: %v", nr)
	}

	// Stored XSS: the file name and the caption travel as JSON-escaped text only.
	pr := a.do("GET", "/admin/api/projects/"+pid, nil, false)
	body := string(pr.Body)
	if pr.Status != 200 || strings.Contains(body, "<script") || strings.Contains(body, "<img") || !strings.Contains(body, `\u003cscript`) {
		t.Fatalf("project view: %d %s", pr.Status, body)
	}
	var pv struct {
		Assets []struct{ Filename, Preview string }
		Bytes  int64
	}
	_ = json.Unmarshal(pr.Body, &pv)
	if len(pv.Assets) != 1 || pv.Assets[0].Filename != evilName || pv.Bytes == 0 {
		t.Fatalf("project detail: %+v", pv)
	}
	req, _ := http.NewRequest("GET", base+pv.Assets[0].Preview, nil)
	req.AddCookie(a.cookie)
	req.Header.Set("Range", "bytes=0-9")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusPartialContent || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("preview with Range: %v %v", err, res)
	}
	res.Body.Close()
	if l := a.want(a.do("GET", "/admin/api/projects?q="+pid, nil, false), 200)["projects"].([]any); len(l) != 1 ||
		!strings.HasSuffix(l[0].(map[string]any)["poster"].(string), "/poster") {
		t.Fatalf("search by id: %v", l)
	}

	dash := a.want(a.do("GET", "/admin/api/dashboard", nil, false), 200)
	var doneLastHours float64
	for _, b := range dash["hourly"].([]any) {
		doneLastHours += b.(map[string]any)["done"].(float64)
	}
	if doneLastHours != 2 || dash["median_render_s"].(float64) <= 0 || dash["projects"].(float64) != 1 || dash["realtime_factor"].(float64) <= 0 {
		t.Fatalf("dashboard: %v", dash)
	}
	csv := a.do("GET", "/admin/api/export/renders?format=csv", nil, false)
	if !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") || strings.Count(string(csv.Body), "\n") != 3 ||
		!strings.Contains(csv.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv export: %v %s", csv.Header, csv.Body)
	}

	del := a.want(a.do("DELETE", "/admin/api/projects/"+pid, nil, true), 200)
	if del["freed_bytes"].(float64) <= 0 {
		t.Fatalf("delete: %v", del)
	}
	wantError(t, a.do("GET", "/admin/api/projects/"+pid, nil, false), 404, "not_found")
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "projects", pid)); !os.IsNotExist(err) {
		t.Fatalf("project folder still there: %v", err)
	}
	audit := string(a.do("GET", "/admin/api/audit?action=project.delete", nil, false).Body)
	if !strings.Contains(audit, pid) || !strings.Contains(audit, "freed") {
		t.Fatalf("audit: %s", audit)
	}
}
