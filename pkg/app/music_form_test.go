package app_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestMusicTrimFieldsInAnyOrder: start and end apply whether the form sends them before or
// after the file (curl -F audio=@song.mp3 -F start=5 -F end=9 sends them after), on the v1
// route and the origin's /upload_audio; a bad value is refused wherever it comes.
func TestMusicTrimFieldsInAnyOrder(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.RateLimits.Enabled = false
	c := &client{t: t, base: startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: true})}
	song := mustRead(t, testutil.Tone(t, t.TempDir(), "song.mp3", 12))

	form := func(fieldsFirst bool, start, end string) (string, *bytes.Buffer) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fields := func() {
			_ = w.WriteField("start", start)
			_ = w.WriteField("end", end)
		}
		if fieldsFirst {
			fields()
		}
		part, _ := w.CreateFormFile("audio", "song.mp3")
		_, _ = part.Write(song)
		if !fieldsFirst {
			fields()
		}
		_ = w.Close()
		return w.FormDataContentType(), &buf
	}
	for _, first := range []bool{true, false} {
		pid := c.json(http.MethodPost, "/api/v1/projects", nil).JSON(t)["id"].(string)
		ctype, body := form(first, "5", "9")
		r := c.do(http.MethodPost, "/api/v1/projects/"+pid+"/music", ctype, body)
		if r.Status != http.StatusCreated {
			t.Fatalf("fields first %v: %d %s", first, r.Status, r.Body)
		}
		m, _ := r.JSON(t)["music"].(map[string]any)
		if m == nil || m["start"] != 5.0 || m["end"] != 9.0 {
			t.Fatalf("fields first %v: music %v, want start 5 and end 9", first, m)
		}

		ctype, body = form(first, "5", "soon")
		msg := wantError(t, c.do(http.MethodPost, "/api/v1/projects/"+pid+"/music", ctype, body), http.StatusUnprocessableEntity, "unprocessable")
		if msg != "end must be a number of seconds" {
			t.Fatalf("fields first %v: %s", first, msg)
		}
		ctype, body = form(first, "9", "5")
		wantError(t, c.do(http.MethodPost, "/api/v1/projects/"+pid+"/music", ctype, body), http.StatusUnprocessableEntity, "unprocessable")
	}

	// The origin's route takes the same form, fields after the file.
	ctype, body := form(false, "5", "9")
	r := c.do(http.MethodPost, "/upload_audio", ctype, body)
	if r.Status != http.StatusOK {
		t.Fatalf("/upload_audio: %d %s", r.Status, r.Body)
	}
}
