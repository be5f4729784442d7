package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/apikey"
	"github.com/simvid/simvid/pkg/events"
	"github.com/simvid/simvid/pkg/httpapi"
	"github.com/simvid/simvid/pkg/redisx"
	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/service/servicetest"
	"github.com/simvid/simvid/pkg/simvid"
)

// The fast handler tests serve a real Server over the service of servicetest: a temporary
// SQLite database and data directory, a queue that records, an intake with no ffmpeg. They
// need neither ffmpeg nor redis-server; idempotency keys live in the embedded Redis that
// `simvid all` runs (miniredis), started in process.

// fileBytes and uploadBytes are the handler's per-file and per-request upload caps here.
const (
	fileBytes   = 1 << 20
	uploadBytes = 3 << 20
)

// api is a Server with what it works over.
type api struct {
	*servicetest.Env
	srv  *httpapi.Server
	keys *apikey.Keys
}

// option adjusts what the Server and its service are built from.
type option struct {
	svc  func(*service.Deps)
	http func(*httpapi.Deps)
}

func withService(f func(*service.Deps)) option { return option{svc: f} }
func withHTTP(f func(*httpapi.Deps)) option    { return option{http: f} }

// withRedis gives the Server an in-process Redis, for idempotency keys.
func withRedis(t *testing.T) option {
	t.Helper()
	r, err := redisx.StartEmbedded("")
	if err != nil {
		t.Fatalf("embedded redis: %v", err)
	}
	t.Cleanup(r.Close)
	pool, err := redisx.NewPool(r.URL(), 0)
	if err != nil {
		t.Fatalf("redis pool: %v", err)
	}
	t.Cleanup(func() { pool.Close() })
	return withHTTP(func(d *httpapi.Deps) { d.Pool = pool })
}

func newAPI(t *testing.T, opts ...option) *api {
	t.Helper()
	var svcOpts []func(*service.Deps)
	for _, o := range opts {
		if o.svc != nil {
			svcOpts = append(svcOpts, o.svc)
		}
	}
	env := servicetest.New(t, svcOpts...)
	a := &api{Env: env, keys: &apikey.Keys{Store: env.Store}}
	d := httpapi.Deps{
		Service: env.Service, Log: zap.NewNop(), Keys: a.keys,
		// The hub is never run: without its subscription every status read goes to the store.
		Hub:  events.NewHub(nil, env.Store.GetRenderStatus, zap.NewNop()),
		Info: httpapi.Info{FileBytes: fileBytes, ImagePixels: servicetest.IntakeLimits.ImagePixels, MaxUploadBytes: uploadBytes},
	}
	for _, o := range opts {
		if o.http != nil {
			o.http(&d)
		}
	}
	a.srv = httpapi.New(d)
	return a
}

// key makes an API key and returns its bearer secret and id.
func (a *api) key(t *testing.T, name string) (secret, id string) {
	t.Helper()
	k, err := a.keys.Create(context.Background(), apikey.Options{Name: name})
	if err != nil {
		t.Fatalf("create key: %v", err)
	}
	return k.Secret, k.ID
}

// req is one request to the server; header holds pairs of name and value.
type req struct {
	method, path string
	body         io.Reader
	ctype        string
	header       []string
}

func (a *api) do(t *testing.T, r req) *httptest.ResponseRecorder {
	t.Helper()
	hr := httptest.NewRequest(r.method, r.path, r.body)
	if r.ctype != "" {
		hr.Header.Set("Content-Type", r.ctype)
	}
	for i := 0; i+1 < len(r.header); i += 2 {
		hr.Header.Set(r.header[i], r.header[i+1])
	}
	rec := httptest.NewRecorder()
	a.srv.Handler().ServeHTTP(rec, hr)
	return rec
}

// json sends a JSON body (empty: none) with optional headers.
func (a *api) json(t *testing.T, method, path, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := req{method: method, path: path, header: header}
	if body != "" {
		r.body, r.ctype = strings.NewReader(body), "application/json"
	}
	return a.do(t, r)
}

// bearer is the header pair of an API key.
func bearer(secret string) []string { return []string{"Authorization", "Bearer " + secret} }

// part is one file of a multipart upload.
type part struct {
	field, name string
	body        []byte
}

// multipartBody encodes files as a multipart/form-data body and returns it with its type.
func multipartBody(t *testing.T, parts ...part) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		fw, err := w.CreateFormFile(p.field, p.name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(p.body)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, w.FormDataContentType()
}

// apiError is the body of every /api error.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// wantError checks an error answer: its status, a JSON body {"error": {"code", "message"}}
// with the code, and nothing of the server's insides (HTML, a path of the data directory).
// It returns the message.
func (a *api) wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) string {
	t.Helper()
	body := rec.Body.String()
	if rec.Code != status {
		t.Fatalf("status %d; want %d: %s", rec.Code, status, body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q; want JSON", ct)
	}
	var e apiError
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error body is not {\"error\":{...}}: %v: %s", err, body)
	}
	if e.Error.Code != code || e.Error.Message == "" {
		t.Errorf("error %+v; want code %q and a message", e.Error, code)
	}
	for _, leak := range []string{"<html", "<!doctype", a.Files.Root(), "/tmp/", "goroutine ", ".go:"} {
		if strings.Contains(strings.ToLower(body), strings.ToLower(leak)) {
			t.Errorf("error body shows %q: %s", leak, body)
		}
	}
	return e.Error.Message
}

// decode reads a JSON answer of the wanted status into v.
func decode(t *testing.T, rec *httptest.ResponseRecorder, status int, v any) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d; want %d: %s", rec.Code, status, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
}

// created makes a project over HTTP and returns its id.
func (a *api) created(t *testing.T, header ...string) string {
	t.Helper()
	var p struct {
		ID string `json:"id"`
	}
	decode(t, a.json(t, http.MethodPost, "/api/v1/projects", "{}", header...), http.StatusCreated, &p)
	if !simvid.ValidID(simvid.PrefixProject, p.ID) {
		t.Fatalf("created project id %q", p.ID)
	}
	return p.ID
}

// projects counts the projects in the database.
func (a *api) projects(t *testing.T) int {
	t.Helper()
	n, err := a.Store.CountProjects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}
