package httpapi_test

import (
	"encoding/json"
	"image/color"
	"net/http"
	"slices"
	"testing"

	"github.com/simvid/simvid/pkg/service/servicetest"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/testutil"
)

// projectAnswer is the part of a project view these tests read.
type projectAnswer struct {
	ID     string `json:"id"`
	Slides []struct {
		ID           string `json:"id"`
		Asset        string `json:"asset"`
		Caption      string `json:"caption"`
		ThumbnailURL string `json:"thumbnail_url"`
	} `json:"slides"`
}

func (p projectAnswer) slideIDs() []string {
	ids := make([]string, len(p.Slides))
	for i, s := range p.Slides {
		ids[i] = s.ID
	}
	return ids
}

// The slide routes answer with the whole project as it now is.
func TestSlideRoutes(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	pid := a.created(t)
	ids := func() []string {
		p := a.Stored(t, pid)
		out := make([]string, len(p.Spec.Slides))
		for i, s := range p.Spec.Slides {
			out[i] = s.ID
		}
		return out
	}
	a.WithSlides(t, pid, 3)
	s := ids()
	base := "/api/v1/projects/" + pid + "/slides"
	var p projectAnswer

	order, _ := json.Marshal(map[string][]string{"order": {s[2], s[0], s[1]}})
	decode(t, a.json(t, http.MethodPut, base, string(order)), http.StatusOK, &p)
	if want := []string{s[2], s[0], s[1]}; !slices.Equal(p.slideIDs(), want) || !slices.Equal(ids(), want) {
		t.Errorf("after reorder: answer %v, stored %v; want %v", p.slideIDs(), ids(), want)
	}
	decode(t, a.json(t, http.MethodPatch, base+"/"+s[0], `{"caption":"Grandma"}`), http.StatusOK, &p)
	if p.Slides[1].Caption != "Grandma" || a.Stored(t, pid).Spec.Slides[1].Caption != "Grandma" {
		t.Errorf("caption: answer %q", p.Slides[1].Caption)
	}
	decode(t, a.json(t, http.MethodPost, base+"/"+s[0]+"/duplicate", ""), http.StatusCreated, &p)
	if len(p.Slides) != 4 || p.Slides[2].Caption != "Grandma" || p.Slides[2].Asset != p.Slides[1].Asset {
		t.Errorf("after duplicate: %+v", p.Slides)
	}
	decode(t, a.json(t, http.MethodDelete, base+"/"+s[2], ""), http.StatusOK, &p)
	if len(p.Slides) != 3 || slices.Contains(ids(), s[2]) {
		t.Errorf("after delete: %v", ids())
	}
	a.wantError(t, a.json(t, http.MethodDelete, base+"/"+s[2], ""), http.StatusNotFound, simvid.ENotFound)
}

// An upload's answer is kept under its Idempotency-Key like any other: a retry of a refused
// upload gets the refusal again without the files being taken in a second time.
func TestUploadReplay(t *testing.T) {
	t.Parallel()
	a := newAPI(t, withRedis(t))
	pid := a.created(t)
	h := []string{idemHeader, "upload-1"}
	first, status := a.upload(t, pid, h, part{"images", "notes.txt", []byte("not a picture")})
	if status != http.StatusUnsupportedMediaType {
		t.Fatalf("status %d; want 415", status)
	}
	body, ctype := multipartBody(t, part{"images", "other.txt", []byte("another body: the key alone decides for uploads")})
	rec := a.do(t, req{method: http.MethodPost, path: "/api/v1/projects/" + pid + "/images", body: body, ctype: ctype, header: h})
	var again uploadAnswer
	decode(t, rec, http.StatusUnsupportedMediaType, &again)
	if rec.Header().Get("Idempotent-Replayed") != "true" || again.Results[0].Filename != first.Results[0].Filename {
		t.Errorf("retry answered %s (replayed %q); want the first answer", rec.Body, rec.Header().Get("Idempotent-Replayed"))
	}
}

// Accepted pictures become slides with thumbnails the project serves, and no one else's
// path reaches them. Intake makes the thumbnails with ffmpeg: skipped loudly without it.
func TestUploadAccepted(t *testing.T) {
	t.Parallel()
	a := newAPI(t, withService(servicetest.RealIntake(t)))
	pid, other := a.created(t), a.created(t)
	ans, status := a.upload(t, pid, nil,
		part{"images", "red.png", testutil.Picture(t, "png", 64, 36, color.RGBA{255, 0, 0, 255})},
		part{"images", "blue.jpg", testutil.Picture(t, "jpeg", 36, 64, color.RGBA{0, 0, 255, 255})})
	if status != http.StatusOK || len(ans.Results) != 2 || !ans.Results[0].OK || !ans.Results[1].OK {
		t.Fatalf("upload: %d %+v", status, ans.Results)
	}
	var p projectAnswer
	decode(t, a.json(t, http.MethodGet, "/api/v1/projects/"+pid, ""), http.StatusOK, &p)
	if len(p.Slides) != 2 {
		t.Fatalf("%d slides; want 2", len(p.Slides))
	}
	rec := a.json(t, http.MethodGet, p.Slides[0].ThumbnailURL, "")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/jpeg" || rec.Body.Len() == 0 {
		t.Errorf("thumbnail: %d %q %d bytes", rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len())
	}
	a.wantError(t, a.json(t, http.MethodGet, "/api/v1/projects/"+other+"/images/"+p.Slides[0].Asset+"/thumbnail", ""),
		http.StatusNotFound, simvid.ENotFound)
}

// The Python original's routes answer errors in its shape, {"success": false, "error": ...}.
func TestOriginErrorShape(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	for _, path := range []string{"/job_status/nope", "/job_status/" + simvid.NewID(simvid.PrefixRender), "/download/nope"} {
		rec := a.json(t, http.MethodGet, path, "")
		var body struct {
			Success *bool  `json:"success"`
			Error   string `json:"error"`
		}
		decode(t, rec, http.StatusNotFound, &body)
		if body.Success == nil || *body.Success || body.Error == "" {
			t.Errorf("%s: %s", path, rec.Body)
		}
	}
}
