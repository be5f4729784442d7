package app_test

import (
	"net/http"
	"testing"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/testutil"
)

// A duplicated slide shows the same picture with the same settings under a new id, right
// after the original; removing either leaves the picture for the other; bad ids change
// nothing.
func TestDuplicateSlide(t *testing.T) {
	base := startApp(t, testConfig(t, ""), app.Roles{Serve: true, EmbeddedRedis: true})
	c := &client{t: t, base: base}
	dir := t.TempDir()
	r := c.json(http.MethodPost, "/api/v1/projects", nil)
	pp := "/api/v1/projects/" + r.JSON(t)["id"].(string)
	r = c.upload(pp+"/images", "images", []string{testutil.Image(t, dir, "a.jpg", 320, 240, "red"), testutil.Image(t, dir, "b.png", 320, 240, "blue")}, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	slides := func(r resp) []map[string]any {
		var out []map[string]any
		for _, s := range r.JSON(t)["slides"].([]any) {
			out = append(out, s.(map[string]any))
		}
		return out
	}
	before := slides(c.json(http.MethodGet, pp, nil))
	first := before[0]["id"].(string)
	if r = c.json(http.MethodPatch, pp+"/slides/"+first, map[string]any{"caption": "Hello", "duration": 2}); r.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}

	r = c.json(http.MethodPost, pp+"/slides/"+first+"/duplicate", nil)
	if r.Status != http.StatusCreated {
		t.Fatalf("duplicate: %d %s", r.Status, r.Body)
	}
	after := slides(r)
	if len(after) != 3 || after[0]["id"] != first || after[2]["id"] != before[1]["id"] {
		t.Fatalf("slides after duplicate: %v", after)
	}
	cp := after[1]
	if cp["id"] == first || cp["asset"] != after[0]["asset"] || cp["caption"] != "Hello" || cp["duration"] != 2.0 {
		t.Fatalf("copy %v of %v", cp, after[0])
	}

	wantError(t, c.json(http.MethodPost, pp+"/slides/sld_AAAAAAAAAAAAAAAAAAAAAA/duplicate", nil), http.StatusNotFound, "not_found")
	wantError(t, c.json(http.MethodPost, pp+"/slides/..%2f..%2fetc/duplicate", nil), http.StatusNotFound, "not_found")
	if n := len(slides(c.json(http.MethodGet, pp, nil))); n != 3 {
		t.Fatalf("a refused duplicate changed the project: %d slides", n)
	}

	// Remove the original: the copy keeps its picture.
	if r = c.json(http.MethodDelete, pp+"/slides/"+first, nil); r.Status != http.StatusOK {
		t.Fatalf("remove: %d %s", r.Status, r.Body)
	}
	thumb := c.do(http.MethodGet, pp+"/images/"+cp["asset"].(string)+"/thumbnail", "", nil)
	if thumb.Status != http.StatusOK || thumb.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("thumbnail of the copy's picture after removing the original: %d", thumb.Status)
	}
}
