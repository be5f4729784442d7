package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/testutil"
)

// TestForeignIDsAre404 names a key's project, pictures, music and render on every route, as
// another key and as an anonymous client: each answers 404 and nothing changes
// (hardening issue, point 4: /generate_video used a key's music by its audio_id).
func TestForeignIDsAre404(t *testing.T) {
	base, adm := startPrograms(t, nil)
	keyA, keyB := adm.newKey(map[string]any{"name": "a"}), adm.newKey(map[string]any{"name": "b"})
	a, b, anon := keyA.as(t, base), keyB.as(t, base), &client{t: t, base: base}
	dir := t.TempDir()
	tone := testutil.Tone(t, dir, "song.wav", 2)
	pic := testutil.Image(t, dir, "x.jpg", 160, 120, "red")

	pa, imgs := projectWithPictures(t, a, 1)
	r := a.upload("/api/v1/projects/"+pa+"/music", "audio", []string{tone}, nil)
	if r.Status != http.StatusCreated {
		t.Fatalf("music: %d %s", r.Status, r.Body)
	}
	audA := r.JSON(t)["music"].(map[string]any)["asset"].(string)
	r = a.upload("/upload_audio", "audio", []string{tone}, nil) // the origin's way: a project of its own
	if r.Status != http.StatusOK {
		t.Fatalf("upload_audio: %d %s", r.Status, r.Body)
	}
	originAudA := r.JSON(t)["audio_id"].(string)
	r = a.json(http.MethodPost, "/api/v1/projects/"+pa+"/renders", nil)
	if r.Status != http.StatusAccepted {
		t.Fatalf("render: %d %s", r.Status, r.Body)
	}
	ra := r.JSON(t)["id"].(string)
	if m := waitRender(t, a, ra, 2*time.Minute); m["state"] != "done" {
		t.Fatalf("render: %v", m)
	}
	snapshot := func() string {
		p := a.do(http.MethodGet, "/api/v1/projects/"+pa, "", nil).JSON(t)
		delete(p, "expires_at")
		rs := a.do(http.MethodGet, "/api/v1/projects/"+pa+"/renders", "", nil).JSON(t)
		out, _ := json.Marshal([]any{p, rs})
		return string(out)
	}
	before := snapshot()
	slide := func() string {
		p := a.do(http.MethodGet, "/api/v1/projects/"+pa, "", nil).JSON(t)
		return p["slides"].([]any)[0].(map[string]any)["id"].(string)
	}()

	for _, who := range []struct {
		name string
		c    *client
	}{{"key b", b}, {"anonymous", anon}} {
		// The caller's own project, to name the foreign files from.
		own := who.c.json(http.MethodPost, "/api/v1/projects", nil).JSON(t)["id"].(string)
		if r := who.c.upload("/api/v1/projects/"+own+"/images", "images", []string{pic}, nil); r.Status != http.StatusOK {
			t.Fatalf("%s: upload: %d %s", who.name, r.Status, r.Body)
		}
		p := "/api/v1/projects/" + pa
		for _, tc := range []struct{ method, path, body string }{
			{"GET", p, ""},
			{"DELETE", p, ""},
			{"PATCH", p + "/settings", `{"defaults":{"duration":2}}`},
			{"UPLOAD", p + "/images", ""},
			{"PUT", p + "/slides", `{"order":["` + slide + `"]}`},
			{"PATCH", p + "/slides/" + slide, `{"caption":"mine"}`},
			{"DELETE", p + "/slides/" + slide, ""},
			{"POST", p + "/slides/" + slide + "/duplicate", ""},
			{"GET", p + "/images/" + imgs[0] + "/thumbnail", ""},
			{"PATCH", p + "/music", `{"start":1}`},
			{"DELETE", p + "/music", ""},
			{"GET", p + "/music/audio", ""},
			{"POST", p + "/music/link", `{"url":"https://example.com/a.mp3"}`},
			{"POST", p + "/renders", ""},
			{"GET", p + "/renders", ""},
			{"POST", "/api/v1/renders", `{"project_id":"` + pa + `","spec":{"slides":[{"asset":"` + imgs[0] + `"}]}}`},
			{"POST", "/api/v1/renders", `{"spec":{"slides":[{"asset":"` + imgs[0] + `"}]}}`},
			{"POST", "/api/v1/renders", `{"project_id":"` + own + `","spec":{"slides":[{"asset":"` + imgs[0] + `"}]}}`},
			{"GET", "/api/v1/renders/" + ra, ""},
			{"GET", "/api/v1/renders/" + ra + "/events", ""},
			{"POST", "/api/v1/renders/" + ra + "/cancel", ""},
			{"GET", "/api/v1/renders/" + ra + "/webhooks", ""},
			{"GET", "/api/v1/renders/" + ra + "/video", ""},
			{"HEAD", "/api/v1/renders/" + ra + "/video", ""},
			{"GET", "/api/v1/renders/" + ra + "/poster", ""},
			{"UPLOAD", "/upload_images?session_id=" + pa, ""},
			{"POST", "/generate_video", `{"session_id":"` + pa + `"}`},
			{"POST", "/generate_video", `{"session_id":"` + own + `","audio_id":"` + audA + `"}`},
			{"POST", "/generate_video", `{"session_id":"` + own + `","audio_id":"` + originAudA + `"}`},
			{"GET", "/job_status/" + ra, ""},
			{"GET", "/progress/" + ra, ""},
			{"GET", "/download/" + ra, ""},
			{"HEAD", "/download/" + ra, ""},
		} {
			var r resp
			switch {
			case tc.method == "UPLOAD" && strings.HasPrefix(tc.path, "/upload_images"):
				r = who.c.upload("/upload_images", "images", []string{pic}, map[string]string{"session_id": pa})
			case tc.method == "UPLOAD":
				r = who.c.upload(tc.path, "images", []string{pic}, nil)
			default:
				r = who.c.do(tc.method, tc.path, "application/json", strings.NewReader(tc.body))
			}
			if r.Status != http.StatusNotFound {
				t.Errorf("%s: %s %s %s: %d, want 404: %.200s", who.name, tc.method, tc.path, tc.body, r.Status, r.Body)
			}
		}
		ownView := who.c.do(http.MethodGet, "/api/v1/projects/"+own, "", nil).JSON(t)
		if ownView["music"] != nil || len(ownView["renders"].([]any)) != 0 {
			t.Errorf("%s: its own project took a foreign id: music %v, renders %v", who.name, ownView["music"], ownView["renders"])
		}
	}
	if after := snapshot(); after != before {
		t.Fatalf("the key's project changed:\n%s\n%s", before, after)
	}

	// The owner still uses its own music by audio_id.
	r = a.json(http.MethodPost, "/generate_video", map[string]any{"session_id": pa, "audio_id": originAudA, "resolution": "640x480", "duration": 1})
	if r.Status != http.StatusOK {
		t.Fatalf("the owner's generate_video: %d %s", r.Status, r.Body)
	}
	if m := a.do(http.MethodGet, "/api/v1/projects/"+pa, "", nil).JSON(t); m["music"].(map[string]any)["asset"] != originAudA {
		t.Fatalf("the owner's audio_id was not taken: %v", m["music"])
	}
}
