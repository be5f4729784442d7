package app_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/testutil"
)

// The page plays the chosen part of the music from its working copy, with Range; the route
// answers 404 for a project without music and for ids that are not the project's.
func TestMusicAudioServed(t *testing.T) {
	base := startApp(t, testConfig(t, ""), app.Roles{Serve: true, EmbeddedRedis: true})
	c := &client{t: t, base: base}
	pp := "/api/v1/projects/" + c.json(http.MethodPost, "/api/v1/projects", nil).JSON(t)["id"].(string)
	other := "/api/v1/projects/" + c.json(http.MethodPost, "/api/v1/projects", nil).JSON(t)["id"].(string)
	wantError(t, c.do(http.MethodGet, pp+"/music/audio", "", nil), http.StatusNotFound, "not_found")

	if r := c.upload(pp+"/music", "audio", []string{testutil.Tone(t, t.TempDir(), "song.mp3", 2)}, nil); r.Status != http.StatusCreated {
		t.Fatalf("music: %d %s", r.Status, r.Body)
	}
	var url string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && url == ""; time.Sleep(100 * time.Millisecond) {
		m, _ := c.json(http.MethodGet, pp, nil).JSON(t)["music"].(map[string]any)
		url, _ = m["audio_url"].(string)
	}
	if url != pp+"/music/audio" {
		t.Fatalf("audio_url %q", url)
	}
	req, _ := http.NewRequest(http.MethodGet, base+url, nil)
	req.Header.Set("Range", "bytes=0-99")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	head := make([]byte, 4)
	_, _ = res.Body.Read(head)
	if res.StatusCode != http.StatusPartialContent || res.Header.Get("Content-Type") != "audio/flac" || string(head) != "fLaC" {
		t.Fatalf("range request: %d %s %q", res.StatusCode, res.Header.Get("Content-Type"), head)
	}
	wantError(t, c.do(http.MethodGet, other+"/music/audio", "", nil), http.StatusNotFound, "not_found")
	wantError(t, c.do(http.MethodGet, "/api/v1/projects/prj_nope/music/audio", "", nil), http.StatusNotFound, "not_found")
}
