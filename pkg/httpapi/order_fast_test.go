package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

// TestSortSlidesByDateTaken is the API behind the page's "Sort by date taken": PUT
// {"sort":"taken"} puts the project's slides in the order of the instant each picture was
// taken (three time zones), undated pictures after them in their upload order; the slides
// carry taken_at with the photo's own offset for the page to show. Bad values are refused
// with 422 naming the field, and change nothing.
func TestSortSlidesByDateTaken(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	pid := a.created(t)
	p := a.WithSlides(t, pid, 6)
	pics := []struct{ name, taken string }{
		{"undated-1.jpg", ""},
		{"new-york.jpg", "2025-06-14T07:00:00-04:00"}, // 11:00Z
		{"paris.jpg", "2025-06-14T10:00:00+02:00"},    // 08:00Z
		{"undated-0.jpg", ""},
		{"tokyo.jpg", "2025-06-14T16:00:00+09:00"}, // 07:00Z
		{"IMG_10.jpg", ""},
	}
	for i, sl := range p.Spec.Slides {
		if _, err := a.Store.UpdateAsset(context.Background(), sl.Asset, func(as *simvid.Asset) error {
			as.OriginalName = pics[i].name
			if pics[i].taken != "" {
				tm, _ := time.Parse(time.RFC3339, pics[i].taken)
				as.TakenAt = &tm
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	base := "/api/v1/projects/" + pid + "/slides"
	type answer struct {
		Slides []struct {
			Filename string          `json:"filename"`
			TakenAt  json.RawMessage `json:"taken_at"`
		} `json:"slides"`
	}
	var got answer
	decode(t, a.json(t, http.MethodPut, base, `{"sort":"taken"}`), http.StatusOK, &got)
	var names, dates []string
	for _, s := range got.Slides {
		names, dates = append(names, s.Filename), append(dates, string(s.TakenAt))
	}
	if want := []string{"tokyo.jpg", "paris.jpg", "new-york.jpg", "undated-1.jpg", "undated-0.jpg", "IMG_10.jpg"}; !slices.Equal(names, want) {
		t.Errorf("sorted %v, want %v", names, want)
	}
	if want := []string{`"2025-06-14T16:00:00+09:00"`, `"2025-06-14T10:00:00+02:00"`, `"2025-06-14T07:00:00-04:00"`, "null", "null", "null"}; !slices.Equal(dates, want) {
		t.Errorf("taken_at %v, want %v", dates, want)
	}
	stored := func() []string {
		var out []string
		for _, sl := range a.Stored(t, pid).Spec.Slides {
			out = append(out, sl.Asset)
		}
		return out
	}
	before := stored()
	for _, body := range []string{`{"sort":"random"}`, `{"sort":"upload"}`, `{"sort":"taken","order":[]}`} {
		msg := a.wantError(t, a.json(t, http.MethodPut, base, body), http.StatusUnprocessableEntity, simvid.EUnprocessable)
		if !strings.Contains(msg, "sort") {
			t.Errorf("%s: message %q does not name sort", body, msg)
		}
	}
	if !slices.Equal(stored(), before) {
		t.Error("a refused sort changed the slides")
	}
	decode(t, a.json(t, http.MethodPut, base, `{"sort":"name"}`), http.StatusOK, &got)
	if got.Slides[0].Filename != "IMG_10.jpg" || got.Slides[5].Filename != "undated-1.jpg" {
		t.Errorf("by name: %+v", got.Slides)
	}
}

// The spec's order and chapters are project settings: kept, shown, and validated with a 422
// that names the field.
func TestOrderSettings(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	pid := a.created(t)
	url := "/api/v1/projects/" + pid + "/settings"
	var v struct {
		Spec struct {
			Order    string `json:"order"`
			Chapters string `json:"chapters"`
		} `json:"spec"`
	}
	decode(t, a.json(t, http.MethodGet, "/api/v1/projects/"+pid, ""), http.StatusOK, &v)
	if v.Spec.Order != "upload" || v.Spec.Chapters != "" {
		t.Errorf("new project: order %q chapters %q", v.Spec.Order, v.Spec.Chapters)
	}
	decode(t, a.json(t, http.MethodPatch, url, `{"order":"taken","chapters":"day"}`), http.StatusOK, &v)
	if st := a.Stored(t, pid).Spec; v.Spec.Order != "taken" || v.Spec.Chapters != "day" || st.Order != "taken" || st.Chapters != "day" {
		t.Errorf("answer %+v, stored %q %q", v.Spec, st.Order, st.Chapters)
	}
	for body, field := range map[string]string{`{"order":"random"}`: "order", `{"chapters":"week"}`: "chapters"} {
		msg := a.wantError(t, a.json(t, http.MethodPatch, url, body), http.StatusUnprocessableEntity, simvid.EUnprocessable)
		if !strings.Contains(msg, field) {
			t.Errorf("%s: message %q does not name %s", body, msg, field)
		}
	}
	// A value of the wrong type is a malformed body (400), as for every field.
	if msg := a.wantError(t, a.json(t, http.MethodPatch, url, `{"order":3}`), http.StatusBadRequest, simvid.EInvalid); !strings.Contains(msg, "order") {
		t.Errorf("order 3: message %q", msg)
	}
	if st := a.Stored(t, pid).Spec; st.Order != "taken" || st.Chapters != "day" {
		t.Errorf("a refused setting changed the spec: %q %q", st.Order, st.Chapters)
	}
}

// The origin's /generate_video takes simvid's "order" and "chapters" into the session's spec;
// a bad value is refused naming the field, before anything changes or a render starts.
func TestOriginGenerateOrder(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	pid := a.created(t)
	a.WithSlides(t, pid, 2)
	rec := a.json(t, http.MethodPost, "/generate_video", `{"session_id":"`+pid+`","order":"sideways"}`)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "order must be upload, name or taken") {
		t.Fatalf("bad order: %d %s", rec.Code, rec.Body)
	}
	if st := a.Stored(t, pid).Spec; st.Order != "" || len(a.Renders(t, pid)) != 0 {
		t.Fatalf("a refused order changed the session: order %q, %d renders", st.Order, len(a.Renders(t, pid)))
	}
	rec = a.json(t, http.MethodPost, "/generate_video", `{"session_id":"`+pid+`","order":"taken","chapters":"day"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("generate: %d %s", rec.Code, rec.Body)
	}
	rs := a.Renders(t, pid)
	if st := a.Stored(t, pid).Spec; st.Order != "taken" || st.Chapters != "day" || len(rs) != 1 || rs[0].Spec.Order != "taken" || rs[0].Spec.Chapters != "day" {
		t.Fatalf("order %q chapters %q; renders %d", st.Order, st.Chapters, len(rs))
	}
}
