package app_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/redisx/redistest"
	"github.com/simvid/simvid/pkg/store/storetest"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestAPIFlowEmbeddedRedis drives the whole v1 API on `all` with its embedded Redis.
func TestAPIFlowEmbeddedRedis(t *testing.T) {
	base := startApp(t, testConfig(t, ""), app.Roles{Serve: true, EmbeddedRedis: true})
	apiFlow(t, base)
}

// TestAPIFlowRealRedis runs serve and work as two apps on one real redis-server.
func TestAPIFlowRealRedis(t *testing.T) {
	url := redistest.Start(t)
	cfg := testConfig(t, url)
	base := startApp(t, cfg, app.Roles{Serve: true})
	wcfg := *cfg
	wcfg.Addr = ""
	startApp(t, &wcfg, app.Roles{Queues: map[string]int{"video": 1, "audio": 1}})
	apiFlow(t, base)
}

func apiFlow(t *testing.T, base string) {
	c := &client{t: t, base: base}
	dir := t.TempDir()
	red := testutil.Image(t, dir, "red.jpg", 320, 240, "red")
	green := testutil.Image(t, dir, "green.png", 200, 300, "lime")
	blue := testutil.Image(t, dir, "blue.webp", 320, 240, "blue")
	fake := filepath.Join(dir, "photo.jpg")
	_ = os.WriteFile(fake, []byte("this is only text, not a photo\n"), 0o644)
	song := testutil.Tone(t, dir, "song.mp3", 1.5)

	r := c.json(http.MethodPost, "/api/v1/projects", nil)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	pid := r.JSON(t)["id"].(string)
	pp := "/api/v1/projects/" + pid

	// One bad file among good ones: the good ones land, the bad one is named.
	r = c.upload(pp+"/images", "images", []string{red, fake, green, blue}, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	results := r.JSON(t)["results"].([]any)
	if len(results) != 4 || results[1].(map[string]any)["ok"] != false {
		t.Fatalf("results: %s", r.Body)
	}
	if e := results[1].(map[string]any)["error"].(map[string]any); e["code"] != "unsupported" {
		t.Fatalf("fake photo error: %v", e)
	}
	slides := r.JSON(t)["project"].(map[string]any)["slides"].([]any)
	if len(slides) != 3 {
		t.Fatalf("want 3 slides, got %d", len(slides))
	}
	ids := make([]string, 3)
	for i, s := range slides {
		ids[i] = s.(map[string]any)["id"].(string)
	}
	thumb := slides[0].(map[string]any)["thumbnail_url"].(string)
	if r := c.do(http.MethodGet, thumb, "", nil); r.Status != 200 || r.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("thumbnail: %d %v", r.Status, r.Header)
	}

	// A file refused alone: the status says why, the project is unchanged.
	wantError(t, c.upload(pp+"/images", "images", []string{fake}, nil), http.StatusUnsupportedMediaType, "unsupported")

	// Reorder (blue, red, green), then remove red.
	r = c.json(http.MethodPut, pp+"/slides", map[string]any{"order": []string{ids[2], ids[0], ids[1]}})
	if r.Status != 200 {
		t.Fatalf("reorder: %d %s", r.Status, r.Body)
	}
	wantError(t, c.json(http.MethodPut, pp+"/slides", map[string]any{"order": []string{ids[0]}}), 422, "unprocessable")
	r = c.do(http.MethodDelete, pp+"/slides/"+ids[0], "", nil)
	got := r.JSON(t)["slides"].([]any)
	if len(got) != 2 || got[0].(map[string]any)["id"] != ids[2] || got[1].(map[string]any)["id"] != ids[1] {
		t.Fatalf("after remove: %s", r.Body)
	}
	if r := c.do(http.MethodGet, thumb, "", nil); r.Status != http.StatusNotFound {
		t.Fatalf("removed picture's thumbnail still served: %d", r.Status)
	}

	// Settings: bad values are refused by name, good ones stick.
	msg := wantError(t, c.json(http.MethodPatch, pp+"/settings", map[string]any{"output": map[string]any{"resolution": "123x45"}}), 422, "unprocessable")
	if !contains(msg, "resolution") {
		t.Errorf("message %q does not name the field", msg)
	}
	wantError(t, c.do(http.MethodPatch, pp+"/settings", "application/json", stringsReader("{not json")), 400, "invalid")
	r = c.json(http.MethodPatch, pp+"/settings", map[string]any{
		"output": map[string]any{"resolution": "640x480"}, "defaults": map[string]any{"duration": 1, "fit": "contain"},
		"transition": map[string]any{"name": "fade", "duration": 0.4}})
	if r.Status != 200 {
		t.Fatalf("settings: %d %s", r.Status, r.Body)
	}
	r = c.json(http.MethodPatch, pp+"/slides/"+ids[1], map[string]any{"duration": 1.5, "caption": "<script>alert(1)</script>"})
	if r.Status != 200 {
		t.Fatalf("slide patch: %d %s", r.Status, r.Body)
	}

	// Music shorter than the video: it loops; the video is never shortened.
	r = c.upload(pp+"/music", "audio", []string{song}, map[string]string{"start": "0.2"})
	if r.Status != http.StatusCreated {
		t.Fatalf("music: %d %s", r.Status, r.Body)
	}

	r = c.json(http.MethodPost, pp+"/renders", nil)
	if r.Status != http.StatusAccepted {
		t.Fatalf("render: %d %s", r.Status, r.Body)
	}
	rv := r.JSON(t)
	events := followSSE(t, base+rv["events_url"].(string), 2*time.Minute)
	last := events[len(events)-1]
	if last["state"] != "done" {
		t.Fatalf("render ended %v: %v", last["state"], last["error"])
	}
	prev := -1.0
	for _, e := range events {
		p := e["progress"].(float64)
		if p < prev {
			t.Errorf("progress went back: %v after %v", p, prev)
		}
		prev = p
	}
	if last["progress"].(float64) != 100 {
		t.Errorf("final progress %v", last["progress"])
	}

	// The video: 2.5 s = 75 frames at 640x480, yuv420p, H.264 + AAC.
	r = c.do(http.MethodGet, last["download_url"].(string), "", nil)
	if r.Status != 200 || !contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %v", r.Status, r.Header)
	}
	out := filepath.Join(dir, "out.mp4")
	_ = os.WriteFile(out, r.Body, 0o644)
	checkVideo(t, out, 640, 480, 75, true)
	req, _ := http.NewRequest(http.MethodGet, base+last["video_url"].(string), nil)
	req.Header.Set("Range", "bytes=0-99")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusPartialContent || res.ContentLength != 100 {
		t.Fatalf("range request: %v %v", err, res)
	}
	res.Body.Close()
	if r := c.do(http.MethodGet, last["poster_url"].(string), "", nil); r.Status != 200 || r.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("poster: %d", r.Status)
	}

	// Errors are JSON everywhere on the API.
	wantError(t, c.do(http.MethodGet, "/api/v1/nothing-here", "", nil), 404, "not_found")
	wantError(t, c.do(http.MethodGet, "/api/v1/projects/../../etc/passwd", "", nil), 404, "")
	wantError(t, c.do(http.MethodGet, "/api/v1/projects/prj_AAAAAAAAAAAAAAAAAAAAAA", "", nil), 404, "not_found")
	wantError(t, c.do(http.MethodGet, "/api/v1/renders/rnd_x/video", "", nil), 404, "not_found")
	r = c.do(http.MethodDelete, pp, "", nil)
	if r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	wantError(t, c.do(http.MethodGet, pp, "", nil), 404, "not_found")
	wantError(t, c.do(http.MethodGet, last["video_url"].(string), "", nil), 404, "not_found")
}

// checkVideo asserts an MP4's shape with ffprobe: size, exact frames, pixel format, audio
// present and as long as the video within a frame, and a clean decode.
func checkVideo(t *testing.T, path string, w, h int, frames int64, audio bool) {
	t.Helper()
	p := testutil.Probe(t, path)
	v, a := p.Video(), p.Audio()
	if v == nil || (a == nil) == audio {
		t.Fatalf("streams: video %v audio %v, want audio %v", v != nil, a != nil, audio)
	}
	if !audio {
		a = &ffmpeg.ProbeStream{CodecName: "aac", Duration: strconv.FormatFloat(float64(frames)/30, 'f', 6, 64)}
	}
	if v.Width != w || v.Height != h || v.PixFmt != "yuv420p" || v.CodecName != "h264" || a.CodecName != "aac" {
		t.Fatalf("video %dx%d %s %s, audio %s", v.Width, v.Height, v.PixFmt, v.CodecName, a.CodecName)
	}
	if v.Frames() != frames {
		t.Fatalf("frames %d, want %d", v.Frames(), frames)
	}
	if d := a.Seconds() - float64(frames)/30; d > 1.0/30+0.03 || d < -1.0/30-0.03 {
		t.Errorf("audio lasts %.3f s, video %.3f s", a.Seconds(), float64(frames)/30)
	}
	if e := testutil.DecodeErrors(t, path); e != "" {
		t.Errorf("decode errors: %s", e)
	}
}

// TestAPIFlowPostgres runs the same flow with PostgreSQL as the metadata database.
func TestAPIFlowPostgres(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.DatabaseURL = storetest.FreshSchema(t, storetest.StartPostgres(t))
	base := startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: true})
	apiFlow(t, base)
}
