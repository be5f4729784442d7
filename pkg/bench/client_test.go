package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeAPI answers the routes the benchmark uses the way docs/api.md describes them.
type fakeAPI struct {
	mu                    sync.Mutex
	uploaded              []string // file names in the order received
	inFlight, maxInFlight int      // upload requests being answered, and the most at once
	orders                int      // PUT /slides requests
	polls                 atomic.Int32
	settings              map[string]any
}

func (f *fakeAPI) handler(t *testing.T) http.Handler {
	mux := http.NewServeMux()
	project := func() map[string]any {
		f.mu.Lock()
		defer f.mu.Unlock()
		slides := []map[string]any{}
		for i, n := range f.uploaded {
			slides = append(slides, map[string]any{"id": fmt.Sprintf("sld_%s", n), "asset": fmt.Sprintf("img_%d", i), "filename": n})
		}
		state := "processing"
		if f.polls.Load() >= 2 {
			state = "ready"
		}
		return map[string]any{"id": "prj_1", "slides": slides, "spec": f.settings,
			"music": map[string]any{"asset": "aud_1", "filename": "music.mp3", "state": state}}
	}
	writeJSON := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("POST /api/v1/projects", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 201, project())
	})
	mux.HandleFunc("PATCH /api/v1/projects/prj_1/settings", func(w http.ResponseWriter, r *http.Request) {
		if err := json.NewDecoder(r.Body).Decode(&f.settings); err != nil {
			t.Errorf("settings body: %v", err)
		}
		writeJSON(w, 200, project())
	})
	mux.HandleFunc("POST /api/v1/projects/prj_1/images", func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength <= 0 {
			t.Errorf("upload without Content-Length")
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Errorf("multipart: %v", err)
		}
		f.mu.Lock()
		f.inFlight++
		f.maxInFlight = max(f.maxInFlight, f.inFlight)
		f.mu.Unlock()
		defer func() { f.mu.Lock(); f.inFlight--; f.mu.Unlock() }()
		var results []map[string]any
		for _, fh := range r.MultipartForm.File["images"] {
			if strings.HasPrefix(fh.Filename, "slow") { // taken after files sent after it
				time.Sleep(150 * time.Millisecond)
			} else if strings.HasPrefix(fh.Filename, "0") { // taken while others are
				time.Sleep(30 * time.Millisecond)
			}
			if strings.HasSuffix(fh.Filename, ".txt") {
				results = append(results, map[string]any{"filename": fh.Filename, "ok": false,
					"error": map[string]string{"code": "unsupported", "message": fh.Filename + ": not a picture"}})
				continue
			}
			f.mu.Lock()
			f.uploaded = append(f.uploaded, fh.Filename)
			slide := map[string]any{"id": fmt.Sprintf("sld_%s", fh.Filename), "filename": fh.Filename}
			f.mu.Unlock()
			results = append(results, map[string]any{"filename": fh.Filename, "ok": true, "slide": slide})
		}
		writeJSON(w, 200, map[string]any{"results": results, "project": project()})
	})
	mux.HandleFunc("PUT /api/v1/projects/prj_1/slides", func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Order []string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("order body: %v", err)
		}
		f.mu.Lock()
		f.orders++
		var names []string
		for _, id := range body.Order {
			names = append(names, strings.TrimPrefix(id, "sld_"))
		}
		if len(names) != len(f.uploaded) {
			t.Errorf("order names %d slides, the project has %d", len(names), len(f.uploaded))
		}
		f.uploaded = names
		f.mu.Unlock()
		writeJSON(w, 200, project())
	})
	mux.HandleFunc("POST /api/v1/projects/prj_1/music", func(w http.ResponseWriter, r *http.Request) {
		if _, _, err := r.FormFile("audio"); err != nil {
			t.Errorf("music upload: %v", err)
		}
		writeJSON(w, 201, project())
	})
	mux.HandleFunc("GET /api/v1/projects/prj_1", func(w http.ResponseWriter, r *http.Request) {
		f.polls.Add(1)
		writeJSON(w, 200, project())
	})
	mux.HandleFunc("POST /api/v1/projects/prj_1/renders", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 202, map[string]any{"id": "rnd_1", "state": "queued"})
	})
	mux.HandleFunc("GET /api/v1/renders/rnd_1", func(w http.ResponseWriter, r *http.Request) {
		state := map[bool]string{true: "done", false: "rendering"}[f.polls.Add(1) >= 5]
		writeJSON(w, 200, map[string]any{"id": "rnd_1", "state": state, "progress": 50})
	})
	mux.HandleFunc("GET /api/v1/renders/rnd_2/events", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, st := range []string{"queued", "rendering", "done"} {
			fmt.Fprintf(w, "event: render\ndata: {\"id\":\"rnd_2\",\"state\":%q}\n\n", st)
		}
	})
	mux.HandleFunc("GET /api/v1/renders/rnd_1/events", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "event: render\ndata: {\"id\":\"rnd_1\",\"state\":\"rendering\"}\n\n") // then it ends
	})
	mux.HandleFunc("GET /api/v1/renders/rnd_bad", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"id": "rnd_bad", "state": "failed", "error": "slide 3 could not be decoded"})
	})
	mux.HandleFunc("GET /api/v1/renders/rnd_1/video", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "not really an mp4")
	})
	mux.HandleFunc("GET /api/v1/renders/rnd_gone", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, map[string]any{"error": map[string]string{"code": "not_found", "message": "no such render"}})
	})
	return mux
}

func TestClientFlow(t *testing.T) {
	f := &fakeAPI{}
	srv := httptest.NewServer(f.handler(t))
	defer srv.Close()
	c := NewClient(srv.URL + "/")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	dir := t.TempDir()
	var files []string
	for _, n := range []string{"02.png", "01.jpg", "03.webp", "music.mp3", "notes.txt"} {
		files = append(files, filepath.Join(dir, n))
		if err := os.WriteFile(files[len(files)-1], []byte("data of "+n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := c.CreateProject(ctx)
	if err != nil || p.ID != "prj_1" {
		t.Fatalf("CreateProject = %+v, %v", p, err)
	}
	settings := map[string]any{"output": map[string]any{"resolution": "1920x1080"}}
	if _, err := c.PatchSettings(ctx, p.ID, settings); err != nil {
		t.Fatal(err)
	}
	if f.settings["output"].(map[string]any)["resolution"] != "1920x1080" {
		t.Fatalf("server got settings %v", f.settings)
	}
	up, err := c.UploadImages(ctx, p.ID, files[:3]...)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.uploaded, ","); got != "02.png,01.jpg,03.webp" || len(up.Project.Slides) != 3 {
		t.Fatalf("upload order %s, slides %d", got, len(up.Project.Slides))
	}
	if _, err := c.UploadImages(ctx, p.ID, files[4]); err == nil || !strings.Contains(err.Error(), "notes.txt") {
		t.Fatalf("refused upload error = %v, want one naming notes.txt", err)
	}
	if _, err := c.UploadMusic(ctx, p.ID, files[3]); err != nil {
		t.Fatal(err)
	}
	if p, err = c.WaitMusic(ctx, p.ID, time.Millisecond); err != nil || p.Music.State != "ready" {
		t.Fatalf("WaitMusic = %+v, %v", p.Music, err)
	}
	r, err := c.StartRender(ctx, p.ID)
	if err != nil || r.State != "queued" {
		t.Fatalf("StartRender = %+v, %v", r, err)
	}
	if r, err = c.WaitRender(ctx, r.ID, time.Millisecond); err != nil || r.State != "done" {
		t.Fatalf("WaitRender = %+v, %v", r, err)
	}
	// Followed: the stream says done; a stream that ends early falls back to polling.
	if r, err := c.FollowRender(ctx, "rnd_2", time.Hour); err != nil || r.State != "done" || r.ID != "rnd_2" {
		t.Fatalf("FollowRender = %+v, %v", r, err)
	}
	if r, err := c.FollowRender(ctx, "rnd_1", time.Millisecond); err != nil || r.State != "done" {
		t.Fatalf("FollowRender of a stream that ends early = %+v, %v", r, err)
	}
	n, err := c.Download(ctx, r.ID, filepath.Join(dir, "out.mp4"))
	if err != nil || n != int64(len("not really an mp4")) {
		t.Fatalf("Download = %d, %v", n, err)
	}
}

// TestUploadAsPage: one file a request, three at once, and the slides put back in the order
// the files were given although the server took them in another.
func TestUploadAsPage(t *testing.T) {
	f := &fakeAPI{}
	srv := httptest.NewServer(f.handler(t))
	defer srv.Close()
	c := NewClient(srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dir := t.TempDir()
	var files []string
	for _, n := range []string{"slow1.png", "02.jpg", "03.webp", "04.png", "05.jpg"} {
		files = append(files, filepath.Join(dir, n))
		if err := os.WriteFile(files[len(files)-1], []byte("data of "+n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := c.UploadAsPage(ctx, "prj_1", files, PageParallel)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range p.Slides {
		names = append(names, s.Filename)
	}
	if got := strings.Join(names, ","); got != "slow1.png,02.jpg,03.webp,04.png,05.jpg" {
		t.Fatalf("slides in order %s, want the order given", got)
	}
	if f.maxInFlight != PageParallel || f.orders != 1 {
		t.Fatalf("%d uploads at once and %d orders sent, want %d and 1", f.maxInFlight, f.orders, PageParallel)
	}
}

func TestFillSlots(t *testing.T) {
	// uploads.js: the batch's ids, in batch order, in the places they hold; others stay.
	got := fillSlots([]string{"a", "c", "x", "b", "d"}, []string{"b", "c", "gone", "d"})
	if want := []string{"a", "b", "x", "c", "d"}; !slices.Equal(got, want) {
		t.Fatalf("fillSlots = %v, want %v", got, want)
	}
}

func TestClientErrors(t *testing.T) {
	srv := httptest.NewServer((&fakeAPI{}).handler(t))
	defer srv.Close()
	c := NewClient(srv.URL)
	ctx := context.Background()

	if _, err := c.WaitRender(ctx, "rnd_bad", time.Millisecond); err == nil || !strings.Contains(err.Error(), "slide 3 could not be decoded") {
		t.Fatalf("failed render error = %v, want the render's message", err)
	}
	_, err := c.GetRender(ctx, "rnd_gone")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 404 || apiErr.Code != "not_found" {
		t.Fatalf("GetRender of a missing render = %v, want a 404 not_found APIError", err)
	}
	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	if _, err := c.WaitRender(short, "rnd_1", time.Hour); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitRender past its deadline = %v, want DeadlineExceeded", err)
	}
}

func TestWaitReady(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" || calls.Add(1) < 3 {
			http.Error(w, "redis: not yet", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := WaitReady(ctx, srv.URL, nil); err != nil {
		t.Fatal(err)
	}

	// A server process that dies is reported at once, not after the deadline.
	p, err := StartProcess("sh", []string{"-c", "exit 3"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = WaitReady(ctx, "http://"+addr, p)
	if err == nil || !strings.Contains(err.Error(), "exited") || time.Since(start) > 2*time.Second {
		t.Fatalf("WaitReady on a dead process = %v after %s", err, time.Since(start))
	}
}

func TestTable(t *testing.T) {
	lines := Table(Measure{"reference", 20, 500 << 20}, Measure{"simvid cold", 25, 750 << 20})
	if len(lines) != 3 {
		t.Fatalf("got %d lines: %q", len(lines), lines)
	}
	for _, want := range []string{"20.00", "1.00", "500.0"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("reference line %q lacks %s", lines[1], want)
		}
	}
	for _, want := range []string{"25.00", "1.25", "750.0"} {
		if !strings.Contains(lines[2], want) {
			t.Errorf("cold line %q lacks %s", lines[2], want)
		}
	}
}
