package app_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/testutil"
)

// linkServer serves real sound files on loopback and counts requests per path. /flaky.m4a
// answers 503 to its first two requests.
type linkServer struct {
	base string
	mu   sync.Mutex
	hits map[string]int
}

func newLinkServer(t *testing.T) *linkServer {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"/song.m4a":  testutil.Tone(t, dir, "song.m4a", 5),
		"/flaky.m4a": testutil.Tone(t, dir, "flaky.m4a", 2),
		"/big.wav":   testutil.Tone(t, dir, "big.wav", 8),
	}
	ls := &linkServer{hits: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ls.mu.Lock()
		ls.hits[r.URL.Path]++
		n := ls.hits[r.URL.Path]
		ls.mu.Unlock()
		if r.URL.Path == "/flaky.m4a" && n <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if f, ok := files[r.URL.Path]; ok {
			http.ServeFile(w, r, f)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	ls.base = strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	return ls
}

func (ls *linkServer) count(path string) int {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.hits[path]
}

// waitMusic polls the project until its music is ready or failed.
func waitMusic(t *testing.T, c *client, pid string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		r := c.do(http.MethodGet, "/api/v1/projects/"+pid, "", nil)
		m, _ := r.JSON(t)["music"].(map[string]any)
		if m != nil && (m["state"] == "ready" || m["state"] == "failed") {
			return r.JSON(t)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("music neither ready nor failed in time")
	return nil
}

func newProject(t *testing.T, c *client) string {
	t.Helper()
	r := c.json(http.MethodPost, "/api/v1/projects", nil)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	return r.JSON(t)["id"].(string)
}

// TestMusicLinkYTDLP: real yt-dlp on the audio queue fetches from a local server (the test
// adds localhost to the allowed hosts and allows loopback by config); the result is taken in
// like an upload. Refusals answer at once; final failures are not retried, network ones are.
func TestMusicLinkYTDLP(t *testing.T) {
	testutil.Need(t, "yt-dlp")
	ls := newLinkServer(t)
	cfg := testConfig(t, "")
	cfg.Links.AllowedHosts = append(cfg.Links.AllowedHosts, "localhost")
	cfg.Links.AllowNetworks = []string{"127.0.0.0/8", "::1/128"}
	cfg.Links.MaxBytes = 300 << 10
	cfg.Links.MaxDuration = 10 * time.Second
	cfg.Links.Timeout = 30 * time.Second
	base := startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: true})
	c := &client{t: t, base: base}

	pid := newProject(t, c)
	link := "/api/v1/projects/" + pid + "/music/link"
	posted := time.Now()
	r := c.json(http.MethodPost, link, map[string]any{"url": ls.base + "/song.m4a", "start": 0.5, "end": 8})
	answered := time.Since(posted)
	if r.Status != http.StatusAccepted {
		t.Fatalf("link: %d %s", r.Status, r.Body)
	}
	m := r.JSON(t)["music"].(map[string]any)
	if m["state"] != "fetching" || m["source_url"] != ls.base+"/song.m4a" {
		t.Fatalf("music after POST: %v", m)
	}
	p := waitMusic(t, c, pid)
	t.Logf("link posted to music ready: %s (POST answered in %s)", time.Since(posted).Round(time.Millisecond), answered.Round(time.Millisecond))
	m = p["music"].(map[string]any)
	if m["state"] != "ready" {
		t.Fatalf("music: %v", m)
	}
	if d := m["duration"].(float64); d < 4.9 || d > 5.2 || m["filename"] != "song" || len(m["peaks"].([]any)) != 200 {
		t.Fatalf("music facts: %v", m)
	}
	if m["start"].(float64) != 0.5 || m["end"].(float64) != 0 || m["progress"].(float64) != 100 {
		t.Fatalf("trim after fetch: start %v end %v progress %v (an end past the track plays to its end)", m["start"], m["end"], m["progress"])
	}

	// Refused at once, before any work is queued.
	for _, bad := range []string{"https://youtube.com.evil.example/watch?v=x", "http://127.0.0.1/", "file:///etc/passwd",
		"-" + ls.base + "/song.m4a", "https://example.org/song.mp3"} {
		msg := wantError(t, c.json(http.MethodPost, link, map[string]any{"url": bad}), 422, "unprocessable")
		if bad == "https://example.org/song.mp3" && !contains(msg, "upload a file instead") {
			t.Errorf("%s: message %q does not say what to do", bad, msg)
		}
	}
	wantError(t, c.json(http.MethodPost, link, map[string]any{}), 400, "invalid")
	wantError(t, c.json(http.MethodPost, link, map[string]any{"url": ls.base + "/song.m4a", "start": 5, "end": 2}), 422, "unprocessable")

	// Final failures: the music fails with a plain reason and what to do; no second try.
	// One of each kind (too large, unavailable); pkg/fetch's TestYTDLPLimits has the
	// duration limit, the other too-large reason, whose failure takes the same way here.
	for _, x := range []struct{ path, want string }{
		{"/big.wav", "larger than"},
		{"/gone.m4a", "404"},
	} {
		pid := newProject(t, c)
		r := c.json(http.MethodPost, "/api/v1/projects/"+pid+"/music/link", map[string]any{"url": ls.base + x.path})
		if r.Status != http.StatusAccepted {
			t.Fatalf("%s: %d %s", x.path, r.Status, r.Body)
		}
		m := waitMusic(t, c, pid)["music"].(map[string]any)
		msg, _ := m["error"].(string)
		if m["state"] != "failed" || !contains(msg, x.want) || !strings.HasSuffix(msg, "upload a file instead") {
			t.Errorf("%s: music %v, want failed with %q and what to do", x.path, m, x.want)
		}
	}
	time.Sleep(1500 * time.Millisecond) // a retry, had there been one, would have come by now
	if n := ls.count("/gone.m4a"); n != 1 {
		t.Errorf("an unavailable link was requested %d times, want once (not retried)", n)
	}

	// A network failure (503 twice) is retried and then succeeds.
	pid = newProject(t, c)
	r = c.json(http.MethodPost, "/api/v1/projects/"+pid+"/music/link", map[string]any{"url": ls.base + "/flaky.m4a"})
	if r.Status != http.StatusAccepted {
		t.Fatalf("flaky: %d %s", r.Status, r.Body)
	}
	if m := waitMusic(t, c, pid)["music"].(map[string]any); m["state"] != "ready" {
		t.Fatalf("flaky link after retries: %v", m)
	}
	if n := ls.count("/flaky.m4a"); n < 3 {
		t.Errorf("flaky link requested %d times, want at least 3", n)
	}

	// The origin's route keeps its shape: it answers once the music is there.
	r = c.json(http.MethodPost, "/download_youtube", map[string]any{"url": ls.base + "/song.m4a", "start_time": 1, "end_time": "3"})
	if r.Status != http.StatusOK {
		t.Fatalf("download_youtube: %d %s", r.Status, r.Body)
	}
	o := r.JSON(t)
	if o["success"] != true || o["audio_id"] == "" || o["duration"].(float64) < 4.9 || o["start_time"].(float64) != 1 || o["end_time"].(float64) != 3 {
		t.Fatalf("download_youtube answer: %v", o)
	}
	// /generate_video adopts it with its trim.
	pic := testutil.Image(t, t.TempDir(), "red.jpg", 320, 240, "red")
	r = c.upload("/upload_images", "images", []string{pic}, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("upload_images: %d %s", r.Status, r.Body)
	}
	session := r.JSON(t)["session_id"].(string)
	r = c.json(http.MethodPost, "/generate_video", map[string]any{"session_id": session, "audio_id": o["audio_id"], "duration": 1, "resolution": "640x480"})
	if r.Status != http.StatusOK {
		t.Fatalf("generate_video: %d %s", r.Status, r.Body)
	}
	sm := c.do(http.MethodGet, "/api/v1/projects/"+session, "", nil).JSON(t)["music"].(map[string]any)
	if sm["asset"] != o["audio_id"] || sm["start"].(float64) != 1 || sm["end"].(float64) != 3 {
		t.Errorf("adopted music %v, want the link's music with its trim 1..3", sm)
	}
	for _, bad := range []map[string]any{
		{"url": "https://youtube.com.evil.example/watch?v=x"},
		{"url": ls.base + "/song.m4a", "start_time": 9000},
		{"url": ls.base + "/song.m4a", "start_time": 5, "end_time": 2},
		{},
	} {
		r := c.json(http.MethodPost, "/download_youtube", bad)
		if r.Status < 400 || r.Status >= 500 || r.JSON(t)["success"] != false || r.JSON(t)["error"] == "" {
			t.Errorf("download_youtube %v: %d %s", bad, r.Status, r.Body)
		}
	}
}

// TestMusicLinkWithoutYTDLP: without yt-dlp the feature says so and everything else works;
// direct media links (on) are fetched by simvid's own client.
func TestMusicLinkWithoutYTDLP(t *testing.T) {
	ls := newLinkServer(t)
	cfg := testConfig(t, "")
	cfg.Links.YTDLP = "/nonexistent/yt-dlp"
	cfg.Links.DirectMedia = true
	cfg.Links.AllowNetworks = []string{"127.0.0.0/8", "::1/128"}
	base := startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: true})
	c := &client{t: t, base: base}
	pid := newProject(t, c)
	link := "/api/v1/projects/" + pid + "/music/link"

	msg := wantError(t, c.json(http.MethodPost, link, map[string]any{"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"}), 503, "unavailable")
	if !contains(msg, "yt-dlp is not installed") || !contains(msg, "upload a file instead") {
		t.Errorf("message %q", msg)
	}
	r := c.json(http.MethodPost, link, map[string]any{"url": ls.base + "/song.m4a"})
	if r.Status != http.StatusAccepted {
		t.Fatalf("direct link: %d %s", r.Status, r.Body)
	}
	m := waitMusic(t, c, pid)["music"].(map[string]any)
	if m["state"] != "ready" || m["filename"] != "song" || m["duration"].(float64) < 4.9 {
		t.Fatalf("direct link music: %v", m)
	}
	// Uploads still work.
	song := testutil.Tone(t, t.TempDir(), "up.mp3", 1)
	if r := c.upload("/api/v1/projects/"+pid+"/music", "audio", []string{song}, nil); r.Status != http.StatusCreated {
		t.Fatalf("upload without yt-dlp: %d %s", r.Status, r.Body)
	}
}
