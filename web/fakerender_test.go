package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// renderSteps are the states a fake render walks through, one per poll or stream event.
var renderSteps = []struct {
	state, message string
	progress       float64
}{
	{"queued", "Waiting in the queue", 0}, {"rendering", "Rendering slides", 30}, {"rendering", "Rendering slides", 70},
	{"finalizing", "Putting the video together", 95}, {"done", "Done", 100},
}

func (f *fakeAPI) newRender(w http.ResponseWriter, r *http.Request, p *fakeProject) {
	if len(p.slides) == 0 {
		reply(w, 409, apiErr("conflict", "add at least one photo before making a video"))
		return
	}
	id := f.id("rnd_")
	f.renders[id] = map[string]any{"id": id, "project_id": p.id, "step": 0, "warnings": []string{}, "created_at": f.tick().Format(time.RFC3339Nano),
		"events_url": "/api/v1/renders/" + id + "/events"}
	f.setStep(id, 0)
	p.renders = append([]string{id}, p.renders...)
	reply(w, 202, f.renders[id])
}

func (f *fakeAPI) setStep(id string, step int) {
	v := f.renders[id]
	s := renderSteps[step]
	v["step"], v["state"], v["message"], v["progress"] = step, s.state, s.message, s.progress
	v["eta"] = float64(len(renderSteps)-1-step) * 2
	if s.state == "done" {
		v["eta"], v["duration"], v["output_size"] = 0.0, 6.0, 123456
		v["video_url"], v["poster_url"] = "/api/v1/renders/"+id+"/video", "/api/v1/renders/"+id+"/poster"
		v["download_url"] = "/api/v1/renders/" + id + "/video?download=1"
	}
}

// advance moves a render one step on, unless it is finished.
func (f *fakeAPI) advance(id string) {
	v := f.renders[id]
	if st := v["state"]; st != "done" && st != "canceled" && st != "failed" {
		f.setStep(id, v["step"].(int)+1)
	}
}

func (f *fakeAPI) routeRenders(mux *http.ServeMux) {
	get := func(pattern string, h func(http.ResponseWriter, *http.Request, map[string]any)) {
		mux.HandleFunc(pattern, f.locked(func(w http.ResponseWriter, r *http.Request) {
			v := f.renders[r.PathValue("id")]
			if v == nil {
				reply(w, 404, apiErr("not_found", "no such render"))
				return
			}
			h(w, r, v)
		}))
	}
	get("GET /api/v1/renders/{id}", func(w http.ResponseWriter, r *http.Request, v map[string]any) {
		f.advance(v["id"].(string))
		reply(w, 200, v)
	})
	get("POST /api/v1/renders/{id}/cancel", func(w http.ResponseWriter, r *http.Request, v map[string]any) {
		v["state"], v["message"] = "canceled", "Canceled"
		reply(w, 202, v)
	})
	get("GET /api/v1/renders/{id}/poster", func(w http.ResponseWriter, r *http.Request, v map[string]any) { f.serveJPEG(w, r) })
	get("GET /api/v1/renders/{id}/video", func(w http.ResponseWriter, r *http.Request, v map[string]any) {
		w.Header().Set("Content-Type", "video/mp4")
		w.WriteHeader(200)
	})
	mux.HandleFunc("GET /api/v1/projects/{id}/renders", f.locked(func(w http.ResponseWriter, r *http.Request) {
		rs := []any{}
		if p := f.projects[r.PathValue("id")]; p != nil {
			for _, id := range p.renders {
				rs = append(rs, f.renders[id])
			}
		}
		reply(w, 200, map[string]any{"renders": rs})
	}))
	mux.HandleFunc("GET /api/v1/renders/{id}/events", f.events)
}

// events streams every step of the render, one every 80 ms, then ends.
func (f *fakeAPI) events(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	v, noSSE := f.renders[r.PathValue("id")], f.noSSE
	f.mu.Unlock()
	if v == nil || noSSE {
		http.Error(w, "stream broken", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	for {
		f.mu.Lock()
		b, _ := json.Marshal(v)
		st := v["state"]
		f.mu.Unlock()
		fmt.Fprintf(w, "event: render\ndata: %s\n\n", b)
		w.(http.Flusher).Flush()
		if st == "done" || st == "failed" || st == "canceled" {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-time.After(80 * time.Millisecond):
		}
		f.mu.Lock()
		f.advance(v["id"].(string))
		f.mu.Unlock()
	}
}
