package security

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/testutil"
)

// probeForeignAudio: music uploaded to a key's project is named by another client in
// /generate_video and in a spec; both must answer 404, as for any id of someone else.
func probeForeignAudio(t *testing.T, s *server) {
	key := s.newKey(t, map[string]any{"name": "owner"})
	owned, _ := projectWithPicture(t, s, "a.jpg", "Authorization", key)
	song, err := os.ReadFile(testutil.Tone(t, t.TempDir(), "song.mp3", 2))
	if err != nil {
		t.Fatal(err)
	}
	a := upload(t, s.URL+"/api/v1/projects/"+owned+"/music", []file{{"audio", "song.mp3", song}}, "Authorization", key)
	music, _ := a.JSON()["music"].(map[string]any)
	aud, _ := music["asset"].(string)
	if a.Status != http.StatusCreated || aud == "" {
		t.Fatalf("the owner's music: %s", a)
	}
	waitMusic(t, s, owned, "ready", "Authorization", key)
	mine := upload(t, s.URL+"/upload_images", []file{{"images", "b.jpg", jpegOf(t, 64, 48, false)}})
	sid, _ := mine.JSON()["session_id"].(string)
	if sid == "" {
		t.Fatalf("upload_images: %s", mine)
	}
	if a := call(t, http.MethodPost, s.URL+"/generate_video", map[string]any{"session_id": sid, "audio_id": aud, "resolution": "640x480"}); a.Status != http.StatusNotFound {
		t.Errorf("generate_video with another owner's audio_id: %s, want 404", a)
	}
	pid, asset := projectWithPicture(t, s, "c.jpg")
	if a := call(t, http.MethodPost, s.URL+"/api/v1/renders", map[string]any{"project_id": pid, "spec": map[string]any{
		"slides": []any{map[string]any{"asset": asset}}, "audio": []any{map[string]any{"asset": aud}}}}); a.Status != http.StatusNotFound {
		t.Errorf("a spec naming another owner's music: %s, want 404", a)
	}
}

// probeHLS uploads two "MP3"s that are an ID3 header followed by an HLS playlist, one
// naming a local file that exists (a real sound) and one a file that does not: the answers
// must be the same, so uploads cannot test for files on the server.
func probeHLS(t *testing.T, s *server) {
	dir := t.TempDir()
	real := testutil.Tone(t, dir, "real.mp3", 1) // an HLS segment must have a media extension
	hls := func(path string) []byte {
		return []byte("ID3\x04\x00\x00\x00\x00\x00\x00#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nfile:" + path + "\n#EXT-X-ENDLIST\n")
	}
	outcome := func(path string) string {
		pid := newProject(t, s)
		a := upload(t, s.URL+"/api/v1/projects/"+pid+"/music", []file{{"audio", "song.mp3", hls(path)}})
		if bytes.Contains(a.Body, []byte(dir)) || bytes.Contains(a.Body, []byte("/etc/")) {
			t.Errorf("the answer shows a server path: %s", a)
		}
		out := http.StatusText(a.Status) + " " + a.Code()
		if a.Status == http.StatusCreated { // taken: what the audio queue makes of it
			deadline := time.Now().Add(30 * time.Second)
			for time.Now().Before(deadline) {
				m, _ := call(t, http.MethodGet, s.URL+"/api/v1/projects/"+pid, nil).JSON()["music"].(map[string]any)
				if st, _ := m["state"].(string); st == "ready" || st == "failed" {
					e, _ := m["error"].(string)
					return out + " then " + st + ": " + e
				}
				time.Sleep(200 * time.Millisecond)
			}
		}
		return out
	}
	exists, missing := outcome(real), outcome(filepath.Join(dir, "missing.mp3"))
	passwd := outcome("/etc/passwd")
	t.Logf("existing sound: %s; /etc/passwd: %s; missing file: %s", exists, passwd, missing)
	if exists != missing || passwd != missing {
		t.Errorf("the answer tells whether a local file exists:\n  existing sound: %s\n  /etc/passwd:    %s\n  missing file:   %s", exists, passwd, missing)
	}
	if strings.Contains(exists, "ready") {
		t.Errorf("an HLS playlist was read as music: %s", exists)
	}
}

// probeIdempotency: two anonymous clients behind one address reuse the guessable key of the
// guide in docs/programs.md; the second must never receive the first one's answer (which
// names its project).
func probeIdempotency(t *testing.T, s *server) {
	// Without an API key the server may refuse the header on a request that names nothing of
	// the client's (the answer would carry new ids to whoever sends the same bytes), or take
	// it; either way no second client ever gets the first one's answer.
	first := call(t, http.MethodPost, s.URL+"/api/v1/projects", nil, "Idempotency-Key", "order-1234")
	id, _ := first.JSON()["id"].(string)
	switch {
	case first.Status == http.StatusBadRequest && strings.Contains(string(first.Body), "Idempotency-Key"):
		t.Logf("an anonymous Idempotency-Key on a new project is refused: %s", first)
	case first.Status != http.StatusCreated || id == "":
		t.Fatalf("first client: %s", first)
	}
	for range 2 {
		second := call(t, http.MethodPost, s.URL+"/api/v1/projects", nil, "Idempotency-Key", "order-1234", "User-Agent", "another-client/1.0")
		if (id != "" && strings.Contains(string(second.Body), id)) || second.Header.Get("Idempotent-Replayed") == "true" {
			t.Errorf("another anonymous client of the same address got the first one's answer: %s (replayed %q)", second, second.Header.Get("Idempotent-Replayed"))
		}
	}
}

// probeUnknownFields: a misspelt field of a JSON body is refused with its name, not ignored.
func probeUnknownFields(t *testing.T, s *server) {
	pid, asset := projectWithPicture(t, s, "a.jpg")
	p := call(t, http.MethodGet, s.URL+"/api/v1/projects/"+pid, nil)
	slides, _ := p.JSON()["slides"].([]any)
	sid, _ := slides[0].(map[string]any)["id"].(string)
	cases := []struct{ method, path, body, field string }{
		{"POST", "/api/v1/projects", `{"outputt":{"fps":30}}`, "outputt"},
		{"PATCH", "/api/v1/projects/" + pid + "/settings", `{"titel":{"text":"x"}}`, "titel"},
		{"PATCH", "/api/v1/projects/" + pid + "/slides/" + sid, `{"captoin":"x"}`, "captoin"},
		{"PUT", "/api/v1/projects/" + pid + "/slides", `{"order":["` + sid + `"],"ordr":[]}`, "ordr"},
		{"PATCH", "/api/v1/projects/" + pid + "/music", `{"strat":3}`, "strat"},
		{"POST", "/api/v1/projects/" + pid + "/music/link", `{"url":"https://youtu.be/dQw4w9WgXcQ","strat":3}`, "strat"},
		{"POST", "/api/v1/projects/" + pid + "/renders", `{"previwe":true}`, "previwe"},
		{"POST", "/api/v1/renders", `{"project_id":"` + pid + `","spec":{"slides":[{"asset":"` + asset + `"}]},"callbak_url":"https://example.com/"}`, "callbak_url"},
	}
	for _, c := range cases {
		a := call(t, c.method, s.URL+c.path, c.body, "Content-Type", "application/json")
		if id, _ := a.JSON()["id"].(string); strings.HasPrefix(id, "rnd_") {
			call(t, http.MethodPost, s.URL+"/api/v1/renders/"+id+"/cancel", nil) // not to count against later probes
		}
		if (a.Status != http.StatusBadRequest && a.Status != http.StatusUnprocessableEntity) || !strings.Contains(string(a.Body), c.field) {
			t.Errorf("%s %s with unknown field %q: %s, want 400/422 naming it", c.method, c.path, c.field, a)
		}
	}
}

// probeWebhook: a callback_url the delivery would refuse (loopback, link-local, private) is
// refused when the render is asked for, with 422, and no render is made.
func probeWebhook(t *testing.T, s *server) {
	key := s.newKey(t, map[string]any{"name": "hooks"})
	pid, asset := projectWithPicture(t, s, "a.jpg", "Authorization", key)
	for _, u := range []string{"http://127.0.0.1:9/hook", "http://[::1]:9/hook", "http://169.254.169.254/latest/meta-data/",
		"http://localhost:9/hook", "http://2130706433:9/", "http://10.0.0.1/hook", "http://[::ffff:127.0.0.1]:9/"} {
		made := 0
		for _, a := range []answer{
			call(t, http.MethodPost, s.URL+"/api/v1/projects/"+pid+"/renders", map[string]any{"callback_url": u}, "Authorization", key),
			call(t, http.MethodPost, s.URL+"/api/v1/renders", map[string]any{"project_id": pid, "callback_url": u,
				"spec": map[string]any{"slides": []any{map[string]any{"asset": asset}}}}, "Authorization", key),
		} {
			if a.Status != http.StatusUnprocessableEntity {
				t.Errorf("render with callback_url %s: %s, want 422", u, a)
			}
			if id, _ := a.JSON()["id"].(string); strings.HasPrefix(id, "rnd_") {
				made++ // canceled, so that the next URL meets no cap of unfinished renders
				call(t, http.MethodPost, s.URL+"/api/v1/renders/"+id+"/cancel", nil, "Authorization", key)
			}
		}
		if made > 0 {
			t.Errorf("callback_url %s: %d renders were made", u, made)
		}
	}
}

// probeChunkedQuota: a key with storage_bytes 1000000 sends a picture larger than that,
// once with Content-Length and once chunked: both refused, and no file of it stays on disk.
func probeChunkedQuota(t *testing.T, s *server) {
	key := s.newKey(t, map[string]any{"name": "small", "storage_bytes": 1000000})
	pid := newProject(t, s, "Authorization", key)
	big := jpegOf(t, 1500, 1000, true)
	if len(big) < 1100000 {
		t.Fatalf("the test picture is only %d bytes", len(big))
	}
	before := files(t, s.DataDir)
	body, ctype := multipartBody(t, file{"images", "big.jpg", big})
	sized := call(t, http.MethodPost, s.URL+"/api/v1/projects/"+pid+"/images", body, "Content-Type", ctype, "Authorization", key)
	if sized.Status < 400 || sized.Status >= 500 {
		t.Errorf("with Content-Length: %s, want a 4xx", sized)
	}
	chunked := call(t, http.MethodPost, s.URL+"/api/v1/projects/"+pid+"/images", io.MultiReader(bytes.NewReader(body)), "Content-Type", ctype, "Authorization", key)
	if chunked.Status < 400 || chunked.Status >= 500 {
		t.Errorf("chunked: %s, want a 4xx (429 quota_exceeded or 413)", chunked)
	}
	time.Sleep(500 * time.Millisecond)
	for f := range files(t, s.DataDir) {
		// Other probes' projects, renders and caches may still be writing: only what this
		// upload could leave counts, its project's files and the upload staging area.
		mine := strings.Contains(f, "/projects/"+pid+"/") || strings.HasPrefix(f, filepath.Join(s.DataDir, "tmp")+"/")
		if !before[f] && mine {
			t.Errorf("left on disk: %s", f)
		}
	}
	if a := call(t, http.MethodGet, s.URL+"/api/v1/projects/"+pid, nil, "Authorization", key); strings.Contains(string(a.Body), `"sld_`) {
		t.Errorf("the picture became a slide: %s", a)
	}
}

// files lists the data directory's files other than the database's own.
func files(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.Contains(d.Name(), ".db") && !strings.HasSuffix(d.Name(), ".log") {
			out[path] = true
		}
		return nil
	})
	return out
}
