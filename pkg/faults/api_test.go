package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/bench"
	"github.com/simvid/simvid/pkg/testutil"
)

// show is what a test asks to be rendered: n generated pictures of w x h, secs each, with
// fades, at the output resolution res; music when music is true.
type show struct {
	n      int
	w, h   int
	secs   float64
	res    string
	music  bool
	colors []string
	motion string // every slide's motion ("" for none): each frame then goes through the encoder
}

var palette = []string{"red", "green", "blue", "yellow", "cyan", "magenta", "orange", "purple", "white", "gray"}

// project creates a project for s through the API at base and returns its id.
func project(t *testing.T, ctx context.Context, base string, s show) string {
	t.Helper()
	c := bench.NewClient(base)
	p, err := c.CreateProject(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defaults := map[string]any{"duration": s.secs, "fit": "contain"}
	if s.motion != "" {
		defaults["motion"] = s.motion
	}
	if _, err := c.PatchSettings(ctx, p.ID, map[string]any{
		"output":     map[string]any{"resolution": s.res},
		"defaults":   defaults,
		"transition": map[string]any{"name": "fade", "duration": 0.5}}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var pics []string
	for i := range s.n {
		pics = append(pics, testutil.Image(t, dir, fmt.Sprintf("p%02d.png", i), s.w, s.h, palette[i%len(palette)]))
	}
	if _, err := c.UploadImages(ctx, p.ID, pics...); err != nil {
		t.Fatal(err)
	}
	if s.music {
		if _, err := c.UploadMusic(ctx, p.ID, testutil.Tone(t, dir, "song.mp3", 4)); err != nil {
			t.Fatal(err)
		}
	}
	return p.ID
}

// frames is the frame count simvid makes for s at 30 fps.
func (s show) frames() int64 { return int64(float64(s.n)*s.secs*30 + 0.5) }

// checkDownload downloads a done render through base and checks it with ffprobe: the
// resolution, the exact frame count and a clean decode.
func checkDownload(t *testing.T, ctx context.Context, base, renderID string, s show) {
	t.Helper()
	out := filepath.Join(t.TempDir(), renderID+".mp4")
	n, err := bench.NewClient(base).Download(ctx, renderID, out)
	if err != nil {
		t.Fatal(err)
	}
	p := testutil.Probe(t, out)
	v := p.Video()
	w, h, _ := strings.Cut(s.res, "x")
	if v == nil || strconv.Itoa(v.Width) != w || strconv.Itoa(v.Height) != h || v.Frames() != s.frames() {
		t.Fatalf("video of %s: %+v; want %s with %d frames", renderID, v, s.res, s.frames())
	}
	if s.music && p.Audio() == nil {
		t.Fatalf("video of %s has no audio", renderID)
	}
	if e := testutil.DecodeErrors(t, out); e != "" {
		t.Fatalf("video of %s does not decode cleanly: %s", renderID, e)
	}
	t.Logf("downloaded %s: %d bytes, %dx%d, %d frames, %.2f s, decodes cleanly", renderID, n, v.Width, v.Height, v.Frames(), p.Duration())
}

// renderAfter renders a short new project through base once a fault is over and checks
// the video: what the fault broke must not outlive it.
func renderAfter(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	short := show{n: 2, w: 640, h: 360, secs: 1, res: "640x480"}
	api := bench.NewClient(base)
	r, err := api.StartRender(ctx, project(t, ctx, base, short))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.WaitRender(ctx, r.ID, 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	checkDownload(t, ctx, base, r.ID, short)
}

// leaseHolder returns the pid of the worker that holds a render's lease in Redis, 0 if none.
// The lease value is "host:pid/token" (pkg/jobs).
func leaseHolder(redisURL, renderID string) int {
	conn, err := redis.DialURL(redisURL, redis.DialConnectTimeout(time.Second), redis.DialReadTimeout(time.Second))
	if err != nil {
		return 0
	}
	defer conn.Close()
	v, err := redis.String(conn.Do("GET", "simvid:lease:render:"+renderID))
	if err != nil {
		return 0
	}
	owner, _, _ := strings.Cut(v, "/")
	pid, _ := strconv.Atoi(owner[strings.LastIndexByte(owner, ':')+1:])
	return pid
}

// answer is one HTTP answer: its status and body.
type answer struct {
	Status int
	Body   string
	Err    error
}

// call sends one request with a short timeout and reads the whole answer.
func call(method, url string, body io.Reader, ctype string) answer {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return answer{Err: err}
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{Err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return answer{Status: res.StatusCode, Body: strings.TrimSpace(string(b)), Err: err}
}

// errorJSON decodes the API's error shape; ok is false when the body is not that shape.
func errorJSON(body string) (code, msg string, ok bool) {
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if json.Unmarshal([]byte(body), &e) != nil || e.Error.Code == "" {
		return "", "", false
	}
	return e.Error.Code, e.Error.Message, true
}

// ffmpegsIn lists running ffmpeg processes whose command line mentions dir.
func ffmpegsIn(dir string) string {
	out, _ := exec.Command("pgrep", "-af", "ffmpeg").Output()
	var hits []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, dir) {
			hits = append(hits, l)
		}
	}
	return strings.Join(hits, "\n")
}

// getJSON decodes a 200 JSON answer of GET url into out.
func getJSON(url string, out any) error {
	a := call(http.MethodGet, url, nil, "")
	if a.Err != nil {
		return a.Err
	}
	if a.Status != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", url, a.Status, a.Body)
	}
	return json.Unmarshal([]byte(a.Body), out)
}

// multipartBody is a multipart form with the files under field.
func multipartBody(t *testing.T, field string, paths ...string) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		part, _ := w.CreateFormFile(field, filepath.Base(p))
		_, _ = part.Write(data)
	}
	_ = w.Close()
	return &buf, w.FormDataContentType()
}
