package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/simvid"
)

// Every refusal of the JSON API is a JSON error with the status of its code, names what is
// wrong, and changes nothing.
func TestValidationErrors(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	pid := a.created(t)
	p := a.WithSlides(t, pid, 2)
	slide := p.Spec.Slides[0].ID
	base := "/api/v1/projects/" + pid

	cases := []struct {
		name, method, path, body string
		status                   int
		code, says               string
	}{
		{"create: not JSON", "POST", "/api/v1/projects", "{output:", 400, simvid.EInvalid, ""},
		{"create: unknown field", "POST", "/api/v1/projects", `{"outptu":{}}`, 400, simvid.EInvalid, "outptu"},
		{"create: trailing data", "POST", "/api/v1/projects", `{}{}`, 400, simvid.EInvalid, ""},
		{"create: bad fps", "POST", "/api/v1/projects", `{"output":{"fps":7}}`, 422, simvid.EUnprocessable, "output.fps"},
		{"create: unknown nested field", "POST", "/api/v1/projects", `{"output":{"fsp":30}}`, 422, simvid.EUnprocessable, "fsp"},
		{"settings: no body", "PATCH", base + "/settings", "", 400, simvid.EInvalid, "JSON body"},
		{"settings: duration", "PATCH", base + "/settings", `{"defaults":{"duration":99}}`, 422, simvid.EUnprocessable, "defaults.duration"},
		{"settings: wrong type", "PATCH", base + "/settings", `{"defaults":{"duration":"3"}}`, 422, simvid.EUnprocessable, "duration"},
		{"settings: transition", "PATCH", base + "/settings", `{"transition":{"name":"spin"}}`, 422, simvid.EUnprocessable, "spin"},
		{"reorder: unknown slide", "PUT", base + "/slides", `{"order":["sld_x","sld_y"]}`, 422, simvid.EUnprocessable, "order"},
		{"reorder: unknown field", "PUT", base + "/slides", `{"ordre":[]}`, 400, simvid.EInvalid, "ordre"},
		{"slide: unknown field", "PATCH", base + "/slides/" + slide, `{"captoin":"x"}`, 400, simvid.EInvalid, "captoin"},
		{"slide: caption too long", "PATCH", base + "/slides/" + slide, `{"caption":"` + strings.Repeat("é", 300) + `"}`, 422, simvid.EUnprocessable, "caption"},
		{"slide: not a slide", "PATCH", base + "/slides/nope", `{"caption":"x"}`, 404, simvid.ENotFound, ""},
		{"music: none", "PATCH", base + "/music", `{"start":1}`, 409, simvid.EConflict, "music"},
		{"render: unknown field", "POST", base + "/renders", `{"previwe":true}`, 400, simvid.EInvalid, "previwe"},
		{"render: callback without a key", "POST", base + "/renders", `{"callback_url":"https://example.com/h"}`, 401, simvid.EUnauthorized, "API key"},
		{"cancel: not a render", "POST", "/api/v1/renders/" + pid + "/cancel", "", 404, simvid.ENotFound, ""},
	}
	before := a.Stored(t, pid)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg := a.wantError(t, a.json(t, c.method, c.path, c.body), c.status, c.code)
			if !strings.Contains(msg, c.says) {
				t.Errorf("message %q does not name %q", msg, c.says)
			}
		})
	}
	a.Unchanged(t, before)
	if n := a.projects(t); n != 1 {
		t.Errorf("%d projects after refused creates; want 1", n)
	}
	if r := a.Renders(t, pid); len(r) != 0 {
		t.Errorf("refused renders were recorded: %d", len(r))
	}
}

// Ids that are not ids, and ids of nothing, are 404 JSON on every route that takes one; a
// route that does not exist is 404 JSON too.
func TestNotFound(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	pid := a.created(t)
	for _, path := range []string{
		"/api/v1/projects/not-an-id",
		"/api/v1/projects/prj_",
		"/api/v1/projects/" + strings.ToUpper(pid),
		"/api/v1/projects/" + simvid.NewID(simvid.PrefixProject),
		"/api/v1/projects/%2e%2e%2fetc%2fpasswd",
		"/api/v1/projects/" + pid + "%00",
		"/api/v1/projects/" + simvid.NewID(simvid.PrefixRender),
		"/api/v1/projects/" + pid + "/renders/x",
		"/api/v1/renders/" + pid,
		"/api/v1/renders/" + simvid.NewID(simvid.PrefixRender),
		"/api/v1/renders/ren_../../x/video",
		"/api/v1/projects/" + pid + "/images/img_nope/thumbnail",
		"/api/v1/projects/" + pid + "/music/audio",
		"/api/v1/nothing-here",
	} {
		t.Run(path, func(t *testing.T) {
			a.wantError(t, a.json(t, http.MethodGet, path, ""), http.StatusNotFound, simvid.ENotFound)
		})
	}
	for _, path := range []string{"/api/v1/projects/nope", "/api/v1/projects/" + simvid.NewID(simvid.PrefixProject)} {
		a.wantError(t, a.json(t, http.MethodDelete, path, ""), http.StatusNotFound, simvid.ENotFound)
	}
	a.wantError(t, a.json(t, http.MethodPost, "/api/v1/renders/nope/cancel", ""), http.StatusNotFound, simvid.ENotFound)
	a.Stored(t, pid)
}

// JSON bodies are capped at 1 MiB, by what they declare and by what they send.
func TestJSONBodyLimit(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	pid := a.created(t)
	big := `{"title":{"text":"` + strings.Repeat("x", 1<<20) + `"}}`
	a.wantError(t, a.json(t, http.MethodPost, "/api/v1/projects", big), http.StatusRequestEntityTooLarge, simvid.ETooLarge)
	// The same without a Content-Length: counted as it streams in.
	rec := a.do(t, req{method: http.MethodPatch, path: "/api/v1/projects/" + pid + "/settings",
		body: struct{ *strings.Reader }{strings.NewReader(big)}, ctype: "application/json"})
	a.wantError(t, rec, http.StatusRequestEntityTooLarge, simvid.ETooLarge)
	if n := a.projects(t); n != 1 {
		t.Errorf("%d projects; want 1", n)
	}
	if a.Stored(t, pid).Spec.Title != nil {
		t.Error("an oversized body changed the project")
	}
}

// A render needs pictures (409); with them it is queued (202, Location) and counted against
// the client's cap (429 past it); cancel answers 202 and then 409.
func TestRenderRoutes(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	pid := a.created(t)
	a.wantError(t, a.json(t, http.MethodPost, "/api/v1/projects/"+pid+"/renders", ""), http.StatusConflict, simvid.EConflict)
	a.WithSlides(t, pid, 1)
	var r struct {
		ID    string             `json:"id"`
		State simvid.RenderState `json:"state"`
	}
	rec := a.json(t, http.MethodPost, "/api/v1/projects/"+pid+"/renders", "")
	decode(t, rec, http.StatusAccepted, &r)
	if r.State != simvid.StateQueued || rec.Header().Get("Location") != "/api/v1/renders/"+r.ID {
		t.Errorf("render %+v, Location %q", r, rec.Header().Get("Location"))
	}
	decode(t, a.json(t, http.MethodPost, "/api/v1/projects/"+pid+"/renders", `{"preview":true}`), http.StatusAccepted, &struct{}{})
	a.wantError(t, a.json(t, http.MethodPost, "/api/v1/projects/"+pid+"/renders", ""), http.StatusTooManyRequests, simvid.ERateLimited)
	if q := a.Queue.Renders(); len(q) != 2 || q[0] != r.ID {
		t.Errorf("queued %v", q)
	}

	var got struct {
		State simvid.RenderState `json:"state"`
	}
	decode(t, a.json(t, http.MethodGet, "/api/v1/renders/"+r.ID, ""), http.StatusOK, &got)
	if got.State != simvid.StateQueued {
		t.Errorf("GET render: %s", got.State)
	}
	decode(t, a.json(t, http.MethodPost, "/api/v1/renders/"+r.ID+"/cancel", ""), http.StatusAccepted, &got)
	if got.State != simvid.StateCanceled {
		t.Errorf("canceled render: %s", got.State)
	}
	a.wantError(t, a.json(t, http.MethodPost, "/api/v1/renders/"+r.ID+"/cancel", ""), http.StatusConflict, simvid.EConflict)
	// The video of a render that is not done is not there.
	a.wantError(t, a.json(t, http.MethodGet, "/api/v1/renders/"+r.ID+"/video", ""), http.StatusConflict, simvid.EConflict)
}

// A project says when it expires; a render moves that on.
func TestProjectExpiry(t *testing.T) {
	t.Parallel()
	a := newAPI(t, withService(func(d *service.Deps) { d.ProjectTTL = time.Hour }))
	var p struct {
		ID        string     `json:"id"`
		UpdatedAt time.Time  `json:"updated_at"`
		ExpiresAt *time.Time `json:"expires_at"`
	}
	decode(t, a.json(t, http.MethodPost, "/api/v1/projects", ""), http.StatusCreated, &p)
	if p.ExpiresAt == nil || !p.ExpiresAt.Equal(p.UpdatedAt.Add(time.Hour)) {
		t.Fatalf("expires_at %v; want updated_at %v + 1h", p.ExpiresAt, p.UpdatedAt)
	}
	first := *p.ExpiresAt
	a.WithSlides(t, p.ID, 1)
	time.Sleep(2 * time.Millisecond)
	decode(t, a.json(t, http.MethodPost, "/api/v1/projects/"+p.ID+"/renders", ""), http.StatusAccepted, &struct{}{})
	decode(t, a.json(t, http.MethodGet, "/api/v1/projects/"+p.ID, ""), http.StatusOK, &p)
	if p.ExpiresAt == nil || !p.ExpiresAt.After(first) {
		t.Errorf("expires_at after a render %v; want after %v", p.ExpiresAt, first)
	}
}
