package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/app"
)

// TestJSONErrorsNameTheField sends a wrong body to every JSON route and checks that the
// answer names the field by its JSON path and says what is wrong (day-one issue, point 5),
// that unknown fields are refused by name (with a suggestion when one is near), and that
// nothing changed.
func TestJSONErrorsNameTheField(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.Admin.Password = adminPassword
	base := startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: true, Queues: map[string]int{}})
	c := &client{t: t, base: base}
	r := c.json(http.MethodPost, "/api/v1/projects", map[string]any{"output": map[string]any{"resolution": "640x480"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	pid := r.JSON(t)["id"].(string)
	before := c.do(http.MethodGet, "/api/v1/projects/"+pid, "", nil).JSON(t)
	slide := "sld_AAAAAAAAAAAAAAAAAAAAAA"
	four := `[{"asset":"img_AAAAAAAAAAAAAAAAAAAAAA"},{"asset":"img_AAAAAAAAAAAAAAAAAAAAAA"},{"asset":"img_AAAAAAAAAAAAAAAAAAAAAA"},{"asset":"img_AAAAAAAAAAAAAAAAAAAAAA","duration":"2"}]`
	for _, tc := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/api/v1/projects", `{"transtion":{"name":"fade"}}`, 400, "unknown field transtion; did you mean transition?"},
		{"PATCH", "/api/v1/projects/" + pid + "/settings", `{"output":{"format":"gif"}}`, 422, "unknown field output.format; output takes resolution, aspect, lines, fps, quality"},
		{"PATCH", "/api/v1/projects/" + pid + "/settings", `{"defaults":{"duration":"2"}}`, 422, "defaults.duration must be a number of seconds, not a string"},
		{"PATCH", "/api/v1/projects/" + pid + "/settings", `{"output":{"fps":1e309}}`, 422, "output.fps is out of range (1e309)"},
		{"PATCH", "/api/v1/projects/" + pid + "/settings", `{"music":{"fade_out":1e309}}`, 422, "music.fade_out is out of range (1e309)"},
		{"PATCH", "/api/v1/projects/" + pid + "/settings", `{"output":{"resolution":"640x480"},"musik":{}}`, 400, "unknown field musik; did you mean music?"},
		{"PATCH", "/api/v1/projects/" + pid + "/settings", `{"output":`, 400, "the JSON ends too early"},
		{"PUT", "/api/v1/projects/" + pid + "/slides", `{"order":"a,b"}`, 400, "order must be a list of strings, not a string"},
		{"PATCH", "/api/v1/projects/" + pid + "/slides/" + slide, `{"duraton":2}`, 400, "unknown field duraton; did you mean duration?"},
		{"PATCH", "/api/v1/projects/" + pid + "/slides/" + slide, `{"focus":[0.5,"x"]}`, 400, "focus[1] must be a number, not a string"},
		{"PATCH", "/api/v1/projects/" + pid + "/music", `{"start":"5"}`, 400, "start must be a number of seconds, not a string"},
		{"POST", "/api/v1/projects/" + pid + "/music/link", `{"link":"https://example.com/a.mp3"}`, 400, "unknown field link; the body takes url, start, end"},
		{"POST", "/api/v1/projects/" + pid + "/renders", `{"callbak_url":"https://example.com/"}`, 400, "unknown field callbak_url; did you mean callback_url?"},
		{"POST", "/api/v1/projects/" + pid + "/renders", `{"preview":"yes"}`, 400, "preview must be true or false, not a string"},
		{"POST", "/api/v1/renders", `{"project_id":"` + pid + `","spec":{"transtion":{"name":"fade"}}}`, 422, "unknown field spec.transtion; did you mean transition?"},
		{"POST", "/api/v1/renders", `{"project_id":"` + pid + `","spec":{"output":{"format":"gif"}}}`, 422, "unknown field spec.output.format"},
		{"POST", "/api/v1/renders", `{"project_id":"` + pid + `","spec":{"slides":` + four + `}}`, 422, "spec.slides[3].duration must be a number of seconds, not a string"},
		{"POST", "/api/v1/renders", `{"project_id":"` + pid + `","spec":{"defaults":{"duration":1e309}}}`, 422, "spec.defaults.duration is out of range (1e309)"},
		{"POST", "/api/v1/renders", `{"project_id":"` + pid + `","spec":[]}`, 422, "spec must be an object, not a list"},
		{"POST", "/api/v1/renders", `{"projectid":"` + pid + `","spec":{}}`, 400, "unknown field projectid; did you mean project_id?"},
	} {
		r := c.do(tc.method, tc.path, "application/json", strings.NewReader(tc.body))
		msg := wantError(t, r, tc.status, "")
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s %s %s:\n got  %q\n want %q", tc.method, tc.path, tc.body, msg, tc.want)
		}
	}
	after := c.do(http.MethodGet, "/api/v1/projects/"+pid, "", nil).JSON(t)
	delete(before, "updated_at")
	delete(after, "updated_at")
	a, _ := json.Marshal(before)
	b, _ := json.Marshal(after)
	if string(a) != string(b) {
		t.Fatalf("a refused body changed the project:\n%s\n%s", a, b)
	}

	// The Python original's routes ignore fields they do not know, as it did, and answer in
	// its shape.
	r = c.do(http.MethodPost, "/generate_video", "application/json",
		strings.NewReader(`{"session_id":"`+pid+`","duration":2,"resolution":7}`))
	if r.Status != http.StatusBadRequest || r.JSON(t)["error"] != "resolution must be a string, not the number 7" {
		t.Fatalf("generate_video with a number for resolution: %d %s", r.Status, r.Body)
	}
	r = c.do(http.MethodPost, "/generate_video", "application/json",
		strings.NewReader(`{"session_id":"`+pid+`","duration":2,"resolution":"640x480","youtube_url":"x"}`))
	if r.Status != http.StatusConflict || !strings.Contains(r.JSON(t)["error"].(string), "no pictures") {
		t.Fatalf("generate_video with an extra field: %d %s", r.Status, r.Body)
	}

	adm := &adminClient{t: t, base: base}
	r = adm.do(http.MethodPost, "/admin/login", json.RawMessage(`{"pasword":"`+adminPassword+`"}`), false)
	if msg := wantError(t, r, http.StatusBadRequest, ""); !strings.Contains(msg, "unknown field pasword; did you mean password?") {
		t.Fatalf("admin login with a misspelt field: %q", msg)
	}
	adm.login()
	r = adm.do(http.MethodPost, "/admin/api/keys", json.RawMessage(`{"nmae":"shop"}`), true)
	if msg := wantError(t, r, http.StatusBadRequest, ""); msg != "unknown field nmae; did you mean name?" {
		t.Fatalf("admin key with a misspelt field: %q", msg)
	}
	r = adm.do(http.MethodPost, "/admin/api/keys", json.RawMessage(`{"name":"shop","renders_per_day":"lots"}`), true)
	if msg := wantError(t, r, http.StatusBadRequest, ""); msg != "renders_per_day must be a whole number, not a string" {
		t.Fatalf("admin key with a string quota: %q", msg)
	}
	r = adm.do(http.MethodPut, "/admin/api/retention", json.RawMessage(`{"days":1.5}`), true)
	if msg := wantError(t, r, http.StatusBadRequest, ""); msg != "days must be a whole number, not 1.5" {
		t.Fatalf("admin retention: %q", msg)
	}
}
