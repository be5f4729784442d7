package app_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/testutil"
)

// Intake prepares each picture's render still for the project's current settings in the same
// decode as its thumbnail; the render then finds them in the cache and decodes nothing again.
// The JPEG is large enough to be decoded at half size for its still: intake and render must
// plan that alike (the still's key) from the picture's format.
func TestStillsPreparedAtUpload(t *testing.T) {
	cfg := testConfig(t, "")
	c := &client{t: t, base: startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: true})}
	dir := t.TempDir()
	pics := []string{testutil.Image(t, dir, "a.jpg", 1600, 1200, "red"), testutil.SplitImage(t, dir, "b.png", 200, 300, "blue", "yellow")}
	pid := c.json(http.MethodPost, "/api/v1/projects", map[string]any{"output": map[string]any{"resolution": "640x480"},
		"defaults": map[string]any{"duration": 1, "fit": "blur"}}).JSON(t)["id"].(string)
	if r := c.upload("/api/v1/projects/"+pid+"/images", "images", pics, nil); r.Status != 200 {
		t.Fatalf("upload: %s", r.Body)
	}
	stills := func() []string {
		m, _ := filepath.Glob(filepath.Join(cfg.DataDir, "cache", "stills", "*.y4m"))
		return m
	}
	before := stills()
	if len(before) != 2 {
		t.Fatalf("%d stills prepared at upload, want 2", len(before))
	}
	seen := map[string]os.FileInfo{}
	for _, p := range before {
		seen[p], _ = os.Stat(p)
	}
	rid := c.json(http.MethodPost, "/api/v1/projects/"+pid+"/renders", nil).JSON(t)["id"].(string)
	last := followSSE(t, base(c)+"/api/v1/renders/"+rid+"/events", time.Minute)
	if st := last[len(last)-1]; st["state"] != "done" {
		t.Fatalf("render: %v", st)
	}
	after := stills()
	if len(after) != 2 {
		t.Fatalf("the render made new stills: %v", after)
	}
	for _, p := range after {
		if fi, _ := os.Stat(p); !os.SameFile(fi, seen[p]) { // a new still would be a new file, renamed in
			t.Fatalf("still %s was made again", p)
		}
	}
	// The prepared still is the render's: the first frame shows the red picture over its blur.
	out := filepath.Join(dir, "o.mp4")
	_ = os.WriteFile(out, c.do(http.MethodGet, "/api/v1/renders/"+rid+"/video", "", nil).Body, 0o644)
	checkVideo(t, out, 640, 480, 60, false)
	if r, g, b := testutil.RGB(testutil.Frame(t, out, 0.1), 0.5, 0.5); !testutil.Near(r, g, b, 255, 0, 0, 40) {
		t.Fatalf("centre of the first frame is %d,%d,%d, want red", r, g, b)
	}
}

func base(c *client) string { return c.base }
