package app_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestAPILooks: the API lists the looks, refuses bad ones by field, and a render with an
// aspect preset, motions, a caption and a title comes out at the preset's size.
func TestAPILooks(t *testing.T) {
	base := startApp(t, testConfig(t, ""), app.Roles{Serve: true, EmbeddedRedis: true})
	c := &client{t: t, base: base}
	caps := c.do(http.MethodGet, "/api/v1/capabilities", "", nil).JSON(t)
	has := func(key, v string) bool {
		l, _ := caps[key].([]any)
		return slices.ContainsFunc(l, func(x any) bool { return x == v })
	}
	for _, kv := range [][2]string{{"transitions", "random"}, {"transitions", "none"}, {"transitions", "fade"},
		{"motions", "zoom-in"}, {"motions", "auto"}, {"fits", "cover"}, {"aspects", "4:5"}, {"music_fits", "slides"},
		{"preset_resolutions", "1080x1350"}} {
		if !has(kv[0], kv[1]) {
			t.Errorf("capabilities %s lack %s", kv[0], kv[1])
		}
	}

	dir := t.TempDir()
	a := testutil.Image(t, dir, "a.png", 320, 240, "red")
	b := testutil.Image(t, dir, "b.png", 240, 320, "blue")
	pid := c.json(http.MethodPost, "/api/v1/projects", nil).JSON(t)["id"].(string)
	pp := "/api/v1/projects/" + pid
	r := c.upload(pp+"/images", "images", []string{a, b}, nil)
	slides := r.JSON(t)["project"].(map[string]any)["slides"].([]any)
	sid := slides[1].(map[string]any)["id"].(string)

	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"output": map[string]any{"aspect": "2:1"}}, "output.aspect"},
		{map[string]any{"output": map[string]any{"fps": 50}}, "output.fps"},
		{map[string]any{"defaults": map[string]any{"motion": "spin"}}, "defaults.motion"},
		{map[string]any{"defaults": map[string]any{"motion_strength": 2}}, "defaults.motion_strength"},
		{map[string]any{"defaults": map[string]any{"caption": map[string]any{"position": "left"}}}, "defaults.caption.position"},
		{map[string]any{"music": map[string]any{"fit": "stretch"}}, "music.fit"},
	} {
		if msg := wantError(t, c.json(http.MethodPatch, pp+"/settings", bad.body), 422, "unprocessable"); !contains(msg, bad.field) {
			t.Errorf("%v: %q does not name %s", bad.body, msg, bad.field)
		}
	}
	msg := wantError(t, c.json(http.MethodPatch, pp+"/slides/"+sid, map[string]any{"caption_style": map[string]any{"color": "red"}}), 422, "unprocessable")
	if !contains(msg, "slides[1].caption_style.color") {
		t.Errorf("slide error %q", msg)
	}

	r = c.json(http.MethodPatch, pp+"/settings", map[string]any{
		"output":     map[string]any{"aspect": "9:16", "lines": 480, "fps": 25, "quality": "draft"},
		"defaults":   map[string]any{"duration": 0.5, "fit": "cover", "motion": "auto", "caption": map[string]any{"backdrop": "box"}},
		"transition": map[string]any{"name": "random", "duration": 0.3}})
	if r.Status != 200 {
		t.Fatalf("settings: %d %s", r.Status, r.Body)
	}
	if out := r.JSON(t)["spec"].(map[string]any)["output"].(map[string]any); out["resolution"] != "480x854" {
		t.Errorf("output %v", out)
	}
	r = c.json(http.MethodPatch, pp+"/slides/"+sid, map[string]any{"caption": "Héllo: 100% \"ok\"", "motion": "pan-up",
		"motion_strength": 0.3, "caption_style": map[string]any{"position": "top", "size": 8}})
	if r.Status != 200 {
		t.Fatalf("slide: %d %s", r.Status, r.Body)
	}
	// A resolution chosen later wins over the aspect preset; an aspect chosen again wins back.
	r = c.json(http.MethodPatch, pp+"/settings", map[string]any{"output": map[string]any{"resolution": "640x480"}})
	if out := r.JSON(t)["spec"].(map[string]any)["output"].(map[string]any); out["resolution"] != "640x480" || out["aspect"] != nil {
		t.Errorf("resolution after aspect: %v", out)
	}
	r = c.json(http.MethodPatch, pp+"/settings", map[string]any{"output": map[string]any{"aspect": "9:16", "lines": 480}})
	if out := r.JSON(t)["spec"].(map[string]any)["output"].(map[string]any); out["resolution"] != "480x854" {
		t.Errorf("aspect again: %v", out)
	}
	r = c.json(http.MethodPatch, pp+"/settings", map[string]any{"title": map[string]any{"text": "Hi", "duration": 1, "background": "#000080"}})
	if tl := r.JSON(t)["spec"].(map[string]any)["title"]; tl == nil {
		t.Errorf("title not kept: %s", r.Body)
	}
	wantError(t, c.json(http.MethodPatch, pp+"/settings", map[string]any{"end": map[string]any{"text": "x", "background": "blue"}}), 422, "unprocessable")
	rv := c.json(http.MethodPost, pp+"/renders", nil).JSON(t)
	events := followSSE(t, base+rv["events_url"].(string), 2*time.Minute)
	last := events[len(events)-1]
	if last["state"] != "done" {
		t.Fatalf("render ended %v: %v", last["state"], last["error"])
	}
	out := filepath.Join(dir, "out.mp4")
	_ = os.WriteFile(out, c.do(http.MethodGet, last["download_url"].(string), "", nil).Body, 0o644)
	p := testutil.Probe(t, out)
	if v := p.Video(); v == nil || v.Width != 480 || v.Height != 854 || v.Frames() != 50 { // the title's second and two half-second slides, at 25 fps
		t.Fatalf("video %+v", v)
	}
}
