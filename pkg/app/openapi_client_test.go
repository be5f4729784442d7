package app_test

import (
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

	"github.com/simvid/simvid/pkg/config"
	"github.com/simvid/simvid/pkg/httpapi/openapi/oacheck"
	"github.com/simvid/simvid/pkg/redisx/redistest"
	"github.com/simvid/simvid/pkg/store/storetest"
	"github.com/simvid/simvid/pkg/testutil"
)

// oaStep is one call of the client suite: an operation of the document by its id, the path
// parameters, a body, and the status wanted.
type oaStep struct {
	op     string
	params map[string]string
	json   any
	files  map[string][]string // multipart field -> files
	want   int
	keep   func(body []byte)
}

// TestOpenAPIClientSuite is a client that knows the API only through the OpenAPI document:
// it builds every request from the document's paths, calls every operation on a real server
// (real Redis protocol, real ffmpeg), and checks each answer's status is documented and its
// JSON body validates against the documented schema.
func TestOpenAPIClientSuite(t *testing.T) {
	redisURL := redistest.Start(t) // a real redis-server, as in production
	clientSuite(t, func(cfg *config.Config) { cfg.RedisURL = redisURL })
}

// TestOpenAPIClientSuitePostgres runs the suite with PostgreSQL as the database.
func TestOpenAPIClientSuitePostgres(t *testing.T) {
	pg := storetest.FreshSchema(t, storetest.StartPostgres(t))
	clientSuite(t, func(cfg *config.Config) { cfg.DatabaseURL = pg })
}

func clientSuite(t *testing.T, mod func(cfg *config.Config)) {
	doc, err := oacheck.Load()
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]oacheck.Op{}
	for _, op := range doc.Operations() {
		ops[op.ID] = op
	}
	hook := newReceiver(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	base, adm := startPrograms(t, mod)
	key := adm.newKey(map[string]any{"name": "suite"})
	dir := t.TempDir()
	pics := []string{testutil.Image(t, dir, "a.jpg", 160, 120, "red"), testutil.Image(t, dir, "b.png", 120, 160, "blue")}
	song := testutil.Tone(t, dir, "song.mp3", 1.5)
	clip := testutil.Clip(t, dir, "walk.mp4", 160, 90, 1)

	v := map[string]string{}
	var assets, slides []string
	covered := map[string]bool{}
	call := func(s oaStep) []byte {
		t.Helper()
		op, ok := ops[s.op]
		if !ok {
			t.Fatalf("the document has no operation %q", s.op)
		}
		covered[s.op] = true
		path := op.Path
		for k, val := range s.params {
			path = strings.ReplaceAll(path, "{"+k+"}", val)
		}
		if strings.Contains(path, "{") {
			t.Fatalf("%s: unfilled parameter in %s", s.op, path)
		}
		var body io.Reader
		ctype := ""
		switch {
		case s.files != nil:
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			for field, files := range s.files {
				for _, f := range files {
					part, _ := w.CreateFormFile(field, filepath.Base(f))
					b, _ := os.ReadFile(f)
					_, _ = part.Write(b)
				}
			}
			_ = w.Close()
			body, ctype = &buf, w.FormDataContentType()
		case s.json != nil:
			b, _ := json.Marshal(s.json)
			body, ctype = bytes.NewReader(b), "application/json"
		}
		r := key.as(t, base).do(op.Method, path, ctype, body)
		if r.Status != s.want {
			t.Fatalf("%s %s: status %d, want %d: %.300s", op.Method, path, r.Status, s.want, r.Body)
		}
		ptr, err := doc.ResponseSchema(op, r.Status, r.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("%s: %v", s.op, err)
		}
		if ptr != "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			if err := doc.Validate(ptr, r.Body); err != nil {
				t.Fatalf("%s %s: the answer does not match the document: %v\n%.500s", op.Method, path, err, r.Body)
			}
		}
		if s.keep != nil {
			s.keep(r.Body)
		}
		return r.Body
	}
	field := func(b []byte, k string) string {
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		s, _ := m[k].(string)
		return s
	}
	pid := func() map[string]string { return map[string]string{"id": v["project"]} }
	rid := func(name string) map[string]string { return map[string]string{"id": v[name]} }

	call(oaStep{op: "getOpenAPI", want: 200})
	call(oaStep{op: "getCapabilities", want: 200})
	call(oaStep{op: "createProject", json: map[string]any{"output": map[string]any{"resolution": "640x480"},
		"defaults": map[string]any{"duration": 0.6}}, want: 201, keep: func(b []byte) { v["project"] = field(b, "id") }})
	call(oaStep{op: "listProjects", want: 200})
	call(oaStep{op: "getProject", params: pid(), want: 200})
	call(oaStep{op: "updateSettings", params: pid(), json: map[string]any{"transition": map[string]any{"name": "fade", "duration": 0.2}}, want: 200})
	call(oaStep{op: "uploadImages", params: pid(), files: map[string][]string{"images": pics}, want: 200, keep: func(b []byte) {
		var m struct {
			Project struct{ Slides []struct{ ID, Asset string } }
		}
		_ = json.Unmarshal(b, &m)
		for _, s := range m.Project.Slides {
			slides, assets = append(slides, s.ID), append(assets, s.Asset)
		}
	}})
	if len(slides) != 2 {
		t.Fatalf("%d slides after the upload", len(slides))
	}
	call(oaStep{op: "reorderSlides", params: pid(), json: map[string]any{"order": []string{slides[1], slides[0]}}, want: 200})
	call(oaStep{op: "updateSlide", params: map[string]string{"id": v["project"], "slide": slides[0]}, json: map[string]any{"caption": "one"}, want: 200})
	call(oaStep{op: "duplicateSlide", params: map[string]string{"id": v["project"], "slide": slides[0]}, want: 201})
	call(oaStep{op: "getThumbnail", params: map[string]string{"id": v["project"], "asset": assets[0]}, want: 200})
	call(oaStep{op: "uploadMusic", params: pid(), files: map[string][]string{"audio": {song}}, want: 201})
	call(oaStep{op: "musicLink", params: pid(), json: map[string]any{"url": ""}, want: 400}) // fetching is tested in links_test.go
	call(oaStep{op: "updateMusic", params: pid(), json: map[string]any{"start": 0.2}, want: 200})
	call(oaStep{op: "startRender", params: pid(), json: map[string]any{"callback_url": hook + "/done"}, want: 202,
		keep: func(b []byte) { v["render"] = field(b, "id") }})
	call(oaStep{op: "renderEvents", params: rid("render"), want: 200}) // ends with the render
	if m := waitRender(t, key.as(t, base), v["render"], time.Minute); m["state"] != "done" {
		t.Fatalf("render: %v", m)
	}
	call(oaStep{op: "getRender", params: rid("render"), want: 200})
	call(oaStep{op: "listRenders", params: pid(), want: 200})
	call(oaStep{op: "getVideo", params: rid("render"), want: 200})
	call(oaStep{op: "headVideo", params: rid("render"), want: 200})
	call(oaStep{op: "getPoster", params: rid("render"), want: 200})
	call(oaStep{op: "getMusicAudio", params: pid(), want: 200}) // ready: the render used it
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(string(call(oaStep{op: "renderWebhooks", params: rid("render"), want: 200})), `"status":204`) {
		if time.Now().After(deadline) {
			t.Fatal("the webhook was not delivered")
		}
		time.Sleep(200 * time.Millisecond)
	}
	call(oaStep{op: "renderSpec", json: map[string]any{"project_id": v["project"], "spec": map[string]any{
		"slides": []any{map[string]any{"asset": assets[1], "duration": 30}}, "output": map[string]any{"resolution": "1920x1080"}}}, // long: canceled before it ends
		want: 202, keep: func(b []byte) { v["spec_render"] = field(b, "id") }})
	call(oaStep{op: "cancelRender", params: rid("spec_render"), want: 202})
	if m := waitRender(t, key.as(t, base), v["spec_render"], time.Minute); m["state"] != "canceled" {
		t.Fatalf("canceled render: %v", m)
	}
	call(oaStep{op: "cancelRender", params: rid("spec_render"), want: 409})
	// A clip: its filmstrip and the clip itself, for the page's trim handles and preview.
	call(oaStep{op: "uploadImages", params: pid(), files: map[string][]string{"images": {clip}}, want: 200, keep: func(b []byte) {
		var m struct {
			Project struct {
				Slides []struct{ Asset, Kind string }
			}
		}
		_ = json.Unmarshal(b, &m)
		for _, s := range m.Project.Slides {
			if s.Kind == "clip" {
				v["clip"] = s.Asset
			}
		}
	}})
	if v["clip"] == "" {
		t.Fatal("the clip's upload made no clip slide")
	}
	call(oaStep{op: "getFilmstrip", params: map[string]string{"id": v["project"], "asset": v["clip"]}, want: 200})
	call(oaStep{op: "getClipVideo", params: map[string]string{"id": v["project"], "asset": v["clip"]}, want: 200})
	call(oaStep{op: "removeSlide", params: map[string]string{"id": v["project"], "slide": slides[1]}, want: 200})
	call(oaStep{op: "removeMusic", params: pid(), want: 200})
	call(oaStep{op: "deleteProject", params: pid(), want: 204})
	call(oaStep{op: "getProject", params: pid(), want: 404})

	for id := range ops {
		if !covered[id] {
			t.Errorf("operation %s was not exercised", id)
		}
	}
}
