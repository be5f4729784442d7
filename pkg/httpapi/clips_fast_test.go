package httpapi_test

import (
	"image/color"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/service/servicetest"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/testutil"
)

// makeClip encodes a small clip with ffmpeg (args: the inputs and codecs) into name.
func makeClip(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	args = append(append([]string{"-hide_banner", "-loglevel", "error", "-y"}, args...), out)
	if b, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// h264Clip is a 1 s 320x180 H.264 MP4 with sound.
func h264Clip(t *testing.T) []byte {
	return makeClip(t, "clip.mp4", "-f", "lavfi", "-i", "testsrc=s=320x180:r=30:d=1", "-f", "lavfi", "-i", "sine=d=1",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest")
}

type clipSlide struct {
	ID           string           `json:"id"`
	Kind         string           `json:"kind"`
	In           float64          `json:"in"`
	Out          float64          `json:"out"`
	Speed        float64          `json:"speed"`
	Mute         bool             `json:"mute"`
	Width        int              `json:"width"`
	Height       int              `json:"height"`
	ClipDuration float64          `json:"clip_duration"`
	Clip         *simvid.ClipInfo `json:"clip"`
	ThumbnailURL string           `json:"thumbnail_url"`
	FilmstripURL string           `json:"filmstrip_url"`
	VideoURL     string           `json:"video_url"`
}

func (a *api) clipSlides(t *testing.T, pid string) []clipSlide {
	t.Helper()
	var p struct {
		Slides []clipSlide `json:"slides"`
	}
	decode(t, a.json(t, http.MethodGet, "/api/v1/projects/"+pid, ""), http.StatusOK, &p)
	return p.Slides
}

// A clip goes up the route pictures go up, and comes back as a clip slide with its probe;
// its poster, filmstrip and the clip itself (with Range) are served to its project only; its
// trim and speed are set through the slide route, and what does not fit the clip is refused
// naming the field, the slide left as it was.
func TestUploadClip(t *testing.T) {
	t.Parallel()
	a := newAPI(t, withService(servicetest.RealIntake(t)))
	pid, other := a.created(t), a.created(t)
	body, ctype := multipartBody(t, part{"images", "beach.mp4", h264Clip(t)},
		part{"images", "red.png", testutil.Picture(t, "png", 64, 36, color.RGBA{255, 0, 0, 255})})
	var ans struct {
		Results []struct {
			OK    bool      `json:"ok"`
			Slide clipSlide `json:"slide"`
		} `json:"results"`
	}
	decode(t, a.do(t, req{method: http.MethodPost, path: "/api/v1/projects/" + pid + "/images", body: body, ctype: ctype}), http.StatusOK, &ans)
	if len(ans.Results) != 2 || !ans.Results[0].OK || !ans.Results[1].OK {
		t.Fatalf("upload: %+v", ans.Results)
	}
	if s := ans.Results[0].Slide; s.Kind != simvid.KindClip || s.Clip == nil || s.Clip.FPS != 30 || !s.Clip.HasAudio {
		t.Errorf("upload answer's slide %+v; want kind clip, 30 fps, sound", s)
	}
	slides := a.clipSlides(t, pid)
	c, pic := slides[0], slides[1]
	if c.Kind != "clip" || c.Width != 320 || c.Height != 180 || c.ClipDuration < 0.9 || c.ClipDuration > 1.2 || pic.Kind != "image" || pic.FilmstripURL != "" {
		t.Fatalf("slides %+v", slides)
	}
	for _, u := range []struct{ url, ctype string }{{c.ThumbnailURL, "image/jpeg"}, {c.FilmstripURL, "image/jpeg"}, {c.VideoURL, "video/mp4"}} {
		rec := a.json(t, http.MethodGet, u.url, "")
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != u.ctype || rec.Body.Len() == 0 {
			t.Errorf("%s: %d %q %d bytes", u.url, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len())
		}
		a.wantError(t, a.json(t, http.MethodGet, strings.Replace(u.url, pid, other, 1), ""), http.StatusNotFound, simvid.ENotFound)
	}
	rec := a.do(t, req{method: http.MethodGet, path: c.VideoURL, header: []string{"Range", "bytes=0-99"}})
	if rec.Code != http.StatusPartialContent || rec.Body.Len() != 100 {
		t.Errorf("range: %d, %d bytes; want 206, 100", rec.Code, rec.Body.Len())
	}
	// A picture has no filmstrip and no clip to play.
	for _, end := range []string{"/filmstrip", "/video"} {
		a.wantError(t, a.json(t, http.MethodGet, strings.TrimSuffix(pic.ThumbnailURL, "/thumbnail")+end, ""), http.StatusNotFound, simvid.ENotFound)
	}

	path := "/api/v1/projects/" + pid + "/slides/"
	decode(t, a.json(t, http.MethodPatch, path+c.ID, `{"in": 0.2, "out": 0.8, "speed": 1.5, "mute": true}`), http.StatusOK, &struct{}{})
	if got := a.clipSlides(t, pid)[0]; got.In != 0.2 || got.Out != 0.8 || got.Speed != 1.5 || !got.Mute {
		t.Fatalf("after the patch: %+v", got)
	}
	before := a.Stored(t, pid)
	for _, bad := range []struct{ id, body, want string }{
		{c.ID, `{"out": 5}`, "slide.out must be within the clip"},
		{c.ID, `{"in": 3, "out": 0}`, "slide.in must be before the end of the clip"},
		{c.ID, `{"in": 0.5, "out": 0.4}`, "out must be after"},
		{c.ID, `{"speed": 3}`, "speed must be between 0.5 and 2"},
		{c.ID, `{"in": -1}`, ".in must be a number of seconds, 0 or more"},
		{pic.ID, `{"in": 0.5}`, "apply to video clips only"},
	} {
		msg := a.wantError(t, a.json(t, http.MethodPatch, path+bad.id, bad.body), http.StatusUnprocessableEntity, simvid.EUnprocessable)
		if !strings.Contains(msg, bad.want) {
			t.Errorf("%s: %q lacks %q", bad.body, msg, bad.want)
		}
	}
	a.Unchanged(t, before)

	// A full spec is checked against the clip too, before anything is queued.
	clipAsset := strings.Split(c.ThumbnailURL, "/")[6]
	for _, bad := range []struct{ slide, want string }{
		{`{"asset": "` + clipAsset + `", "in": 0.5, "out": 9}`, "slides[0].out must be within the clip"},
		{`{"asset": "` + clipAsset + `", "speed": 0.1}`, "slides[0].speed must be between 0.5 and 2"},
	} {
		rec := a.json(t, http.MethodPost, "/api/v1/renders", `{"project_id": "`+pid+`", "spec": {"slides": [`+bad.slide+`]}}`)
		if msg := a.wantError(t, rec, http.StatusUnprocessableEntity, simvid.EUnprocessable); !strings.Contains(msg, bad.want) {
			t.Errorf("%s: %q lacks %q", bad.slide, msg, bad.want)
		}
	}
	if n := len(a.Queue.Renders()); n != 0 {
		t.Errorf("%d renders queued", n)
	}
	rec = a.json(t, http.MethodPost, "/api/v1/renders", `{"project_id": "`+pid+`", "spec": {"slides": [{"asset": "`+clipAsset+`", "in": 0.5, "out": 1}]}}`)
	if rec.Code != http.StatusAccepted {
		t.Errorf("a good clip spec: %d %s", rec.Code, rec.Body)
	}
}

// Bad clips are refused through the API and the origin route, each with its reason, and the
// project stays as it was; a good clip through the origin route is taken as a clip.
func TestUploadClipRefusedAndOrigin(t *testing.T) {
	t.Parallel()
	a := newAPI(t, withService(servicetest.RealIntake(t)))
	pid := a.created(t)
	before := a.Stored(t, pid)
	audioOnly := makeClip(t, "voice.mp4", "-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", "-f", "mp4")
	good := h264Clip(t)
	cut := good[:len(good)/2]
	ans, status := a.upload(t, pid, nil, part{"images", "voice.mp4", audioOnly}, part{"images", "cut.mp4", cut})
	if status != http.StatusUnprocessableEntity || len(ans.Results) != 2 {
		t.Fatalf("status %d, %+v; want 422 with two refusals", status, ans.Results)
	}
	for i, want := range []string{"voice.mp4 has sound but no pictures; to use it as the soundtrack, upload it as music", "cut.mp4 could not be read as a video"} {
		if r := ans.Results[i]; r.OK || r.Err == nil || !strings.Contains(r.Err.Message, want) {
			t.Errorf("result %d: %+v; want %q", i, r.Err, want)
		}
	}
	a.Unchanged(t, before)
	a.noTemps(t)

	body, ctype := multipartBody(t, part{"session_id", "", []byte(pid)}, part{"images", "walk.mp4", good})
	rec := a.do(t, req{method: http.MethodPost, path: "/upload_images", body: body, ctype: ctype})
	if rec.Code != http.StatusOK {
		t.Fatalf("origin upload: %d %s", rec.Code, rec.Body)
	}
	if s := a.clipSlides(t, pid); len(s) != 1 || s[0].Kind != simvid.KindClip || s[0].Clip == nil {
		t.Errorf("slides after the origin upload: %+v", s)
	}
}
