package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/testutil"
)

// TestOriginRoutes drives the Python original's routes the way its page and clients do, on
// real corpus pictures (a phone JPEG stored sideways, a PNG and a WebP) and its music.
func TestOriginRoutes(t *testing.T) {
	dir := corpus(t)
	s := startAll(t, "")
	pics := []string{filepath.Join(dir, "images", "13-orient6.jpg"), filepath.Join(dir, "images", "01.png"), filepath.Join(dir, "images", "06.webp")}

	// Upload in two batches into one session: the second batch names the session.
	body := postMultipart(t, s.URL+"/upload_images", "images", pics[:2], nil, http.StatusOK)
	if body["success"] != true || body["count"].(float64) != 2 || body["total_count"].(float64) != 2 {
		t.Fatalf("upload_images: %v", body)
	}
	sid := body["session_id"].(string)
	imgs := body["images"].([]any)
	if imgs[0].(map[string]any)["filename"] != "13-orient6.jpg" || imgs[0].(map[string]any)["size"].(float64) <= 0 {
		t.Fatalf("images: %v", imgs)
	}
	junk := filepath.Join(t.TempDir(), "notes.jpg")
	_ = os.WriteFile(junk, []byte("hello"), 0o644)
	body = postMultipart(t, s.URL+"/upload_images", "images", []string{pics[2], junk}, map[string]string{"session_id": sid}, http.StatusOK)
	if body["count"].(float64) != 1 || body["total_count"].(float64) != 3 || len(body["rejected"].([]any)) != 1 {
		t.Fatalf("mixed batch: %v", body)
	}
	body = postMultipart(t, s.URL+"/upload_images", "images", []string{junk}, map[string]string{"session_id": sid}, http.StatusBadRequest)
	if body["success"] != false || body["error"] == "" {
		t.Fatalf("all refused: %v", body)
	}
	postMultipart(t, s.URL+"/upload_images", "images", pics[:1], map[string]string{"session_id": "prj_AAAAAAAAAAAAAAAAAAAAAA"}, http.StatusNotFound)

	body = postMultipart(t, s.URL+"/upload_audio", "audio", []string{filepath.Join(dir, "music.mp3")}, nil, http.StatusOK)
	if d := body["duration"].(float64); d < 39.5 || d > 40.5 {
		t.Fatalf("upload_audio duration %v: %v", d, body)
	}
	audioID := body["audio_id"].(string)

	// The origin's page sends duration as a string; "slide" is rendered as slideleft.
	gen := postJSON(t, s.URL+"/generate_video", map[string]any{"session_id": sid, "audio_id": audioID,
		"duration": "1", "transition": "slide", "resolution": "640x480"}, http.StatusOK)
	job := gen["job_id"].(string)
	if gen["success"] != true || gen["status_url"] != "/job_status/"+job {
		t.Fatalf("generate_video: %v", gen)
	}
	postJSON(t, s.URL+"/generate_video", map[string]any{"session_id": sid, "duration": 99, "resolution": "640x480"}, http.StatusBadRequest)
	postJSON(t, s.URL+"/generate_video", map[string]any{"session_id": sid, "duration": 2, "resolution": "1000x1000"}, http.StatusBadRequest)

	events := originProgress(t, s.URL+"/progress/"+job)
	if events[0]["connected"] != true {
		t.Fatalf("first progress event: %v", events[0])
	}
	lastEv := events[len(events)-1]
	if lastEv["stage"] != "completed" || lastEv["progress"].(float64) != 100 {
		t.Fatalf("last progress event: %v", lastEv)
	}
	if _, err := time.Parse(time.RFC3339, lastEv["timestamp"].(string)); err != nil {
		t.Fatalf("timestamp: %v", err)
	}
	unknown := originProgress(t, s.URL+"/progress/rnd_AAAAAAAAAAAAAAAAAAAAAA")
	if len(unknown) != 1 || unknown[0]["error"] == nil {
		t.Fatalf("unknown job progress: %v", unknown)
	}

	st := getJSON(t, s.URL+"/job_status/"+job, http.StatusOK)
	if st["status"] != "finished" || st["stage"] != "completed" || st["download_url"] != "/download/"+job || st["video_id"] != job || st["file_size"].(float64) <= 0 {
		t.Fatalf("job_status: %v", st)
	}
	getJSON(t, s.URL+"/job_status/nope", http.StatusNotFound)

	res, err := http.Get(s.URL + "/download/" + job)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("download: %v %v", err, res)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "slideshow_"+job+".mp4") {
		t.Fatalf("Content-Disposition %q", cd)
	}
	out := filepath.Join(t.TempDir(), "o.mp4")
	f, _ := os.Create(out)
	_, _ = io.Copy(f, res.Body)
	f.Close()
	res.Body.Close()
	p := testutil.Probe(t, out)
	if v := p.Video(); v == nil || v.Width != 640 || v.Height != 480 || v.Frames() != 90 || v.PixFmt != "yuv420p" {
		t.Fatalf("video: %+v", v)
	}
	if p.Audio() == nil {
		t.Fatal("no audio")
	}
	// No enumeration through /download: malformed and unknown ids are plain 404 JSON.
	for _, id := range []string{"*", "..%2f..%2fetc%2fpasswd", "rnd_AAAAAAAAAAAAAAAAAAAAAA"} {
		b := getJSON(t, s.URL+"/download/"+id, http.StatusNotFound)
		if b["success"] != false {
			t.Fatalf("download %s: %v", id, b)
		}
	}
	h := getJSON(t, s.URL+"/health", http.StatusOK)
	if h["status"] != "healthy" || h["redis"] != true || h["database"] != true {
		t.Fatalf("health: %v", h)
	}
}

func postMultipart(t *testing.T, url, field string, files []string, fields map[string]string, want int) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range files {
		part, _ := w.CreateFormFile(field, filepath.Base(f))
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = part.Write(b)
	}
	for k, v := range fields { // after the files, as some clients send them
		_ = w.WriteField(k, v)
	}
	_ = w.Close()
	res, err := http.Post(url, w.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	return readJSON(t, res, want)
}

func postJSON(t *testing.T, url string, v any, want int) map[string]any {
	t.Helper()
	b, _ := json.Marshal(v)
	res, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return readJSON(t, res, want)
}

func getJSON(t *testing.T, url string, want int) map[string]any {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	return readJSON(t, res, want)
}

func readJSON(t *testing.T, res *http.Response, want int) map[string]any {
	t.Helper()
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", res.Request.Method, res.Request.URL.Path, res.StatusCode, want, b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: not JSON: %q", res.Request.URL.Path, b)
	}
	return m
}

// originProgress reads the origin's progress stream to its end.
func originProgress(t *testing.T, url string) []map[string]any {
	t.Helper()
	cl := &http.Client{Timeout: 3 * time.Minute}
	res, err := cl.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var evs []map[string]any
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("progress data %q: %v", line, err)
		}
		evs = append(evs, m)
	}
	if len(evs) == 0 {
		t.Fatal("no progress events")
	}
	return evs
}
