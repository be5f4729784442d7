package httpapi_test

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/httpapi"
	"github.com/simvid/simvid/pkg/httpapi/openapi/oacheck"
)

var echoParam = regexp.MustCompile(`:([a-z_]+)`)

// TestOpenAPIMatchesRoutes: every /api route the server registers is in the document, and
// every operation of the document is a registered route.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc, err := oacheck.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := httpapi.New(httpapi.Deps{Log: zap.NewNop()})
	routes := map[string]bool{}
	for _, r := range s.Routes() {
		if !strings.HasPrefix(r.Path, "/api/") || strings.HasSuffix(r.Path, "/*") || r.Method == "echo_route_not_found" {
			continue
		}
		routes[r.Method+" "+echoParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	documented := map[string]bool{}
	ids := map[string]bool{}
	for _, op := range doc.Operations() {
		documented[op.Method+" "+op.Path] = true
		if op.ID == "" || ids[op.ID] {
			t.Errorf("%s %s: missing or repeated operationId %q", op.Method, op.Path, op.ID)
		}
		ids[op.ID] = true
	}
	var missing, extra []string
	for r := range routes {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	for d := range documented {
		if !routes[d] {
			extra = append(extra, d)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("routes missing from openapi.yaml: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("documented operations with no route: %v", extra)
	}
	if len(routes) < 25 {
		t.Fatalf("only %d /api routes found", len(routes))
	}
}

// TestOpenAPIExamplesValidate: every example in the document is valid against its schema,
// and the schemas themselves compile.
func TestOpenAPIExamplesValidate(t *testing.T) {
	doc, err := oacheck.Load()
	if err != nil {
		t.Fatal(err)
	}
	exs := doc.Examples()
	if len(exs) < 15 {
		t.Fatalf("only %d examples", len(exs))
	}
	for _, ex := range exs {
		s, err := doc.Schema(ex.Schema)
		if err != nil {
			t.Errorf("%s: schema does not compile: %v", ex.Where, err)
			continue
		}
		if err := s.Validate(ex.Value); err != nil {
			t.Errorf("%s: example does not validate: %v", ex.Where, err)
		}
	}
	// A wrong example must fail, or the check above proves nothing.
	s, err := doc.Schema("/components/schemas/Render")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(map[string]any{"id": "rnd_x", "state": "exploded"}); err == nil {
		t.Fatal("a bad render validated")
	}
}

// TestOpenAPIServed: GET /api/openapi.json answers the document as JSON.
func TestOpenAPIServed(t *testing.T) {
	s := httpapi.New(httpapi.Deps{Log: zap.NewNop()})
	rec := newRecorder(s, http.MethodGet, "/api/openapi.json")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") ||
		!strings.Contains(rec.Body.String(), `"openapi":"3.1.0"`) {
		t.Fatalf("%d %s %.200s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
}
