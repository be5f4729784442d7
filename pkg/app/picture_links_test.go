package app_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/config"
	"github.com/simvid/simvid/pkg/testutil"
)

// A one-call render whose pictures are links: the audio queue fetches them from a real HTTP
// server (loopback allowed by config), takes them in like uploads, and the render waits for
// them and makes a real video; a link that leads nowhere fails its render with the reason;
// a refused link answers 422 at once and makes nothing.
func TestRenderSpecPictureLinks(t *testing.T) {
	dir := t.TempDir()
	red := testutil.Image(t, dir, "red.jpg", 320, 240, "red")
	testutil.Need(t, "exiftool")
	if b, err := exec.Command("exiftool", "-q", "-overwrite_original", "-DateTimeOriginal=2025:06:14 10:00:00",
		"-OffsetTimeOriginal=+02:00", red).CombinedOutput(); err != nil {
		t.Fatalf("exiftool: %v\n%s", err, b)
	}
	testutil.Image(t, dir, "blue.png", 240, 320, "blue")
	if err := os.WriteFile(filepath.Join(dir, "text.jpg"), []byte("only text, not a picture\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	files := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer files.Close()
	host := strings.Replace(files.URL, "127.0.0.1", "localhost", 1) // links to IP addresses are refused
	base, adm := startPrograms(t, func(cfg *config.Config) {
		cfg.Links.DirectMedia = true
		cfg.Links.AllowNetworks = []string{"127.0.0.0/8", "::1/128"}
	})
	c := adm.newKey(map[string]any{"name": "links"}).as(t, base)
	spec := func(names ...string) map[string]any {
		var slides []any
		for _, n := range names {
			slides = append(slides, map[string]any{"url": host + "/" + n, "duration": 1})
		}
		return map[string]any{"spec": map[string]any{"output": map[string]any{"resolution": "640x480"}, "slides": slides,
			"transition": map[string]any{"name": "fade", "duration": 0.4}}}
	}

	// A picture by link is taken in like an upload, its date taken too: "order": "taken" plays
	// red (dated) before blue (undated) though blue is listed first.
	first := spec("blue.png", "red.jpg")
	first["spec"].(map[string]any)["order"] = "taken"
	r := c.json(http.MethodPost, "/api/v1/renders", first)
	if r.Status != http.StatusAccepted {
		t.Fatalf("render: %d %s", r.Status, r.Body)
	}
	start := time.Now()
	m := waitRender(t, c, r.JSON(t)["id"].(string), 90*time.Second)
	t.Logf("two pictures by link fetched and rendered in %v", time.Since(start).Round(time.Millisecond))
	if m["state"] != "done" {
		t.Fatalf("render: %v", m)
	}
	video := filepath.Join(t.TempDir(), "out.mp4")
	if err := os.WriteFile(video, c.do(http.MethodGet, m["video_url"].(string), "", nil).Body, 0o644); err != nil {
		t.Fatal(err)
	}
	if v := testutil.Probe(t, video).Video(); v == nil || v.Width != 640 || v.Height != 480 || v.Frames() != 60 {
		t.Fatalf("video: %+v", v)
	}
	for _, c := range []struct {
		at      float64
		r, g, b uint8
	}{{0.2, 255, 0, 0}, {1.8, 0, 0, 255}} {
		if r, g, b := testutil.RGB(testutil.Frame(t, video, c.at), 0.5, 0.5); !testutil.Near(r, g, b, c.r, c.g, c.b, 40) {
			t.Errorf("at %g s: colour %d,%d,%d, want %d,%d,%d (order taken)", c.at, r, g, b, c.r, c.g, c.b)
		}
	}
	p := c.do(http.MethodGet, "/api/v1/projects/"+m["project_id"].(string), "", nil)
	if p.Status != http.StatusOK {
		t.Fatalf("the new project of the key: %d %s", p.Status, p.Body)
	}

	// Not a picture, and nothing there: the render fails and says why.
	for _, name := range []string{"text.jpg", "missing.jpg"} {
		r = c.json(http.MethodPost, "/api/v1/renders", spec(name))
		if r.Status != http.StatusAccepted {
			t.Fatalf("render of %s: %d %s", name, r.Status, r.Body)
		}
		m = waitRender(t, c, r.JSON(t)["id"].(string), 60*time.Second)
		t.Logf("%s: %v: %v", name, m["state"], m["error"])
		if m["state"] != "failed" || !strings.Contains(m["error"].(string), "picture") {
			t.Fatalf("render of %s: %v", name, m)
		}
	}

	// Refused before anything is made (a good first link does not make a project either): a
	// metadata address, a user name in the link, a file.
	before := len(c.do(http.MethodGet, "/api/v1/projects", "", nil).JSON(t)["projects"].([]any))
	for _, u := range []string{"http://169.254.169.254/latest/meta-data", "http://user@example.com/a.jpg", "file:///etc/passwd"} {
		msg := wantError(t, c.json(http.MethodPost, "/api/v1/renders", map[string]any{"spec": map[string]any{
			"slides": []any{map[string]any{"url": host + "/red.jpg"}, map[string]any{"url": u}}}}), http.StatusUnprocessableEntity, "")
		if !strings.Contains(msg, "spec.slides[1].url") {
			t.Fatalf("refusal of %s: %q", u, msg)
		}
	}
	if after := len(c.do(http.MethodGet, "/api/v1/projects", "", nil).JSON(t)["projects"].([]any)); after != before {
		t.Fatalf("refused renders left projects behind: %d before, %d after", before, after)
	}
}
