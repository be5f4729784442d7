package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAPI is an in-memory stand-in for the v1 API (docs/api.md), enough to drive the page
// in a real browser: projects, slides, music, renders with an event stream.
type fakeAPI struct {
	mu        sync.Mutex
	n         int
	clock     time.Time
	projects  map[string]*fakeProject
	renders   map[string]map[string]any
	noSSE     bool // the event stream answers 500, so the page must poll
	failPatch bool // the next settings PATCH answers an HTML 502
	jpeg      []byte
}

type fakeProject struct {
	id      string
	updated time.Time
	spec    map[string]any
	slides  []map[string]any
	music   map[string]any
	renders []string // newest first
}

func newFakeAPI(t *testing.T) *fakeAPI {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	img.Set(0, 0, color.White)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return &fakeAPI{clock: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), projects: map[string]*fakeProject{},
		renders: map[string]map[string]any{}, jpeg: buf.Bytes()}
}

func (f *fakeAPI) id(prefix string) string { f.n++; return fmt.Sprintf("%s%022d", prefix, f.n) }
func (f *fakeAPI) tick() time.Time         { f.clock = f.clock.Add(time.Millisecond); return f.clock }

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func apiErr(code, msg string) map[string]any {
	return map[string]any{"error": map[string]any{"code": code, "message": msg}}
}

func (f *fakeAPI) view(p *fakeProject) map[string]any {
	rs := []any{}
	for _, id := range p.renders {
		rs = append(rs, f.renders[id])
	}
	var music any
	if p.music != nil {
		music = p.music
	}
	return map[string]any{"id": p.id, "created_at": f.clock.Format(time.RFC3339Nano), "updated_at": p.updated.Format(time.RFC3339Nano),
		"expires_at": p.updated.Add(30 * 24 * time.Hour).Format(time.RFC3339Nano), "spec": p.spec, "slides": p.slides, "music": music, "renders": rs}
}

// handler serves the page (as the real server will) and the fake API.
func (f *fakeAPI) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob:; media-src 'self'; object-src 'none'")
		_, _ = w.Write(Index())
	})
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.FS(FS()))))
	mux.HandleFunc("GET /api/v1/capabilities", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"resolutions": []string{"1920x1080", "1080x1920", "1080x1080"}, "transitions": []string{"fade", "wipeleft"},
			"fits": []string{"contain", "blur"}, "qualities": []string{"draft", "standard", "high"}, "music_fits": []string{"loop", "trim"},
			"limits": map[string]any{"file_bytes": 26214400, "images_per_project": 200}, "defaults": newSpec(), "project_ttl_days": 30})
	})
	mux.HandleFunc("POST /api/v1/projects", f.locked(func(w http.ResponseWriter, r *http.Request) {
		p := &fakeProject{id: f.id("prj_"), updated: f.tick(), spec: newSpec(), slides: []map[string]any{}}
		f.projects[p.id] = p
		reply(w, 201, f.view(p))
	}))
	f.project(mux, "GET /api/v1/projects/{id}", func(w http.ResponseWriter, r *http.Request, p *fakeProject) {
		if p.music != nil && p.music["state"] == "processing" {
			p.music["state"], p.music["duration"], p.music["peaks"] = "ready", 181.4, []float64{0.1, 0.5, 0.9, 0.4, 0.7, 0.2, 1, 0.3}
			p.updated = f.tick()
		}
		reply(w, 200, f.view(p))
	})
	f.project(mux, "PATCH /api/v1/projects/{id}/settings", func(w http.ResponseWriter, r *http.Request, p *fakeProject) {
		if f.failPatch {
			f.failPatch = false
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			_, _ = w.Write([]byte("<html><body>Bad Gateway</body></html>"))
			return
		}
		var patch map[string]map[string]any
		_ = json.NewDecoder(r.Body).Decode(&patch)
		for k, v := range patch {
			for kk, vv := range v {
				p.spec[k].(map[string]any)[kk] = vv
			}
		}
		p.updated = f.tick()
		reply(w, 200, f.view(p))
	})
	f.project(mux, "POST /api/v1/projects/{id}/images", f.images)
	f.project(mux, "PUT /api/v1/projects/{id}/slides", func(w http.ResponseWriter, r *http.Request, p *fakeProject) {
		var body struct{ Order []string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		if len(body.Order) != len(p.slides) {
			reply(w, 422, apiErr("unprocessable", "order must name every slide once"))
			return
		}
		var out []map[string]any
		for _, id := range body.Order {
			for _, s := range p.slides {
				if s["id"] == id {
					out = append(out, s)
				}
			}
		}
		p.slides, p.updated = out, f.tick()
		reply(w, 200, f.view(p))
	})
	f.project(mux, "PATCH /api/v1/projects/{id}/slides/{sid}", func(w http.ResponseWriter, r *http.Request, p *fakeProject) {
		var patch map[string]any
		_ = json.NewDecoder(r.Body).Decode(&patch)
		for _, s := range p.slides {
			if s["id"] == r.PathValue("sid") {
				for k, v := range patch {
					s[k] = v
				}
			}
		}
		p.updated = f.tick()
		reply(w, 200, f.view(p))
	})
	f.project(mux, "DELETE /api/v1/projects/{id}/slides/{sid}", func(w http.ResponseWriter, r *http.Request, p *fakeProject) {
		var out []map[string]any
		for _, s := range p.slides {
			if s["id"] != r.PathValue("sid") {
				out = append(out, s)
			}
		}
		p.slides, p.updated = out, f.tick()
		reply(w, 200, f.view(p))
	})
	mux.HandleFunc("GET /api/v1/projects/{id}/images/{aid}/thumbnail", f.serveJPEG)
	f.project(mux, "POST /api/v1/projects/{id}/music", func(w http.ResponseWriter, r *http.Request, p *fakeProject) {
		_, hdr, err := r.FormFile("audio")
		if err != nil {
			reply(w, 400, apiErr("invalid", "field audio: no file"))
			return
		}
		p.music = map[string]any{"asset": f.id("aud_"), "filename": hdr.Filename, "state": "processing", "error": "", "duration": 0.0, "start": 0.0, "end": 0.0}
		p.updated = f.tick()
		reply(w, 201, f.view(p))
	})
	f.project(mux, "PATCH /api/v1/projects/{id}/music", func(w http.ResponseWriter, r *http.Request, p *fakeProject) {
		var patch map[string]any
		_ = json.NewDecoder(r.Body).Decode(&patch)
		for k, v := range patch {
			p.music[k] = v
		}
		p.updated = f.tick()
		reply(w, 200, f.view(p))
	})
	f.project(mux, "POST /api/v1/projects/{id}/renders", f.newRender)
	f.routeRenders(mux)
	return mux
}

func newSpec() map[string]any {
	return map[string]any{"output": map[string]any{"resolution": "1920x1080", "fps": 30, "quality": "standard"},
		"defaults":   map[string]any{"duration": 3, "fit": "contain", "motion": "none", "background": "#000000"},
		"transition": map[string]any{"name": "fade", "duration": 0.5},
		"music":      map[string]any{"fit": "loop", "fade_in": 0, "fade_out": 1.5, "volume": 1}}
}

func (f *fakeAPI) locked(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		h(w, r)
	}
}

func (f *fakeAPI) project(mux *http.ServeMux, pattern string, h func(http.ResponseWriter, *http.Request, *fakeProject)) {
	mux.HandleFunc(pattern, f.locked(func(w http.ResponseWriter, r *http.Request) {
		p := f.projects[r.PathValue("id")]
		if p == nil {
			reply(w, 404, apiErr("not_found", "project "+r.PathValue("id")+" does not exist"))
			return
		}
		h(w, r, p)
	}))
}

func (f *fakeAPI) serveJPEG(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/jpeg")
	_, _ = w.Write(f.jpeg)
}

func (f *fakeAPI) images(w http.ResponseWriter, r *http.Request, p *fakeProject) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		reply(w, 400, apiErr("invalid", "not a multipart form"))
		return
	}
	results, ok := []any{}, 0
	var first map[string]any
	for _, fh := range r.MultipartForm.File["images"] {
		if !strings.HasSuffix(fh.Filename, ".jpg") {
			e := map[string]any{"code": "unsupported", "message": fh.Filename + ": this is not a picture (JPEG, PNG, WebP, GIF, BMP or TIFF)"}
			if first == nil {
				first = e
			}
			results = append(results, map[string]any{"filename": fh.Filename, "ok": false, "error": e})
			continue
		}
		asset := f.id("img_")
		s := map[string]any{"id": f.id("sld_"), "asset": asset, "filename": fh.Filename, "width": 64, "height": 48, "duration": 0, "fit": "",
			"caption": "", "transition": "", "thumbnail_url": "/api/v1/projects/" + p.id + "/images/" + asset + "/thumbnail"}
		p.slides = append(p.slides, s)
		results = append(results, map[string]any{"filename": fh.Filename, "ok": true, "slide": s})
		ok++
	}
	p.updated = f.tick()
	body := map[string]any{"results": results, "project": f.view(p)}
	if ok == 0 {
		body["error"] = first
		reply(w, 415, body)
		return
	}
	reply(w, 200, body)
}
