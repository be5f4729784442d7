package httpapi_test

import (
	"bytes"
	"encoding/json"
	"image/color"
	"math"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/testutil"
)

// What a picture upload refuses before intake's tools run: the request's shape, its size,
// files that are not pictures or are too large, files past the per-request cap, a full
// disk. Accepted uploads need ffmpeg (thumbnails): the service's TestAddImagesAccepted and
// the whole-binary tests cover them.

type uploadAnswer struct {
	Results []struct {
		Filename string `json:"filename"`
		OK       bool   `json:"ok"`
		Err      *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	} `json:"results"`
	Error struct {
		Code string `json:"code"`
	} `json:"error"`
	Project struct {
		Slides []json.RawMessage `json:"slides"`
	} `json:"project"`
}

func (a *api) upload(t *testing.T, pid string, header []string, parts ...part) (*uploadAnswer, int) {
	t.Helper()
	body, ctype := multipartBody(t, parts...)
	rec := a.do(t, req{method: http.MethodPost, path: "/api/v1/projects/" + pid + "/images", body: body, ctype: ctype, header: header})
	var ans uploadAnswer
	if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil {
		t.Fatalf("upload answer %d is not JSON: %s", rec.Code, rec.Body)
	}
	return &ans, rec.Code
}

// noTemps fails when an upload left files in the data directory's temporary folder.
func (a *api) noTemps(t *testing.T) {
	t.Helper()
	if left, _ := os.ReadDir(a.Files.TmpDir()); len(left) != 0 {
		t.Errorf("uploads left %d temporary files", len(left))
	}
}

func TestUploadRefusals(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	pid := a.created(t)
	png := testutil.Picture(t, "png", 200, 120, color.White) // 24,000 pixels, over the 10,000 here
	jpg := testutil.Picture(t, "jpeg", 8, 8, color.Black)

	// Each file gets its verdict; when none is accepted the answer has the first's status.
	ans, status := a.upload(t, pid, nil,
		part{"images", "big.png", png},
		part{"images", "notes.txt", []byte("hello, not a picture")},
		part{"images", "page.html", []byte("<!doctype html><p>hi</p>")},
		part{"images", "fourth.jpg", jpg})
	if status != http.StatusRequestEntityTooLarge || ans.Error.Code != simvid.ETooLarge {
		t.Errorf("status %d, error %q; want 413 too_large (the first file's refusal)", status, ans.Error.Code)
	}
	want := []string{simvid.ETooLarge, simvid.EUnsupported, simvid.EUnsupported, simvid.ETooLarge}
	if len(ans.Results) != len(want) {
		t.Fatalf("%d results; want %d", len(ans.Results), len(want))
	}
	for i, r := range ans.Results {
		if r.OK || r.Err == nil || r.Err.Code != want[i] {
			t.Errorf("file %d (%s): %+v; want %s", i, r.Filename, r.Err, want[i])
		}
	}
	if !strings.Contains(ans.Results[3].Err.Message, "at most 3") {
		t.Errorf("the file past the cap: %q; want the cap named", ans.Results[3].Err.Message)
	}
	if len(ans.Project.Slides) != 0 || len(a.Stored(t, pid).Spec.Slides) != 0 {
		t.Error("refused files made slides")
	}
	a.noTemps(t)
}

func TestUploadRequestRefusals(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	pid := a.created(t)
	path := "/api/v1/projects/" + pid + "/images"
	pic := testutil.Picture(t, "png", 8, 8, color.White)

	// Not a multipart body, or one without files in the field.
	a.wantError(t, a.json(t, http.MethodPost, path, `{"images":[]}`), http.StatusBadRequest, simvid.EInvalid)
	body, ctype := multipartBody(t, part{"pictures", "a.png", pic})
	a.wantError(t, a.do(t, req{method: http.MethodPost, path: path, body: body, ctype: ctype}), http.StatusBadRequest, simvid.EInvalid)
	// A body cut off in the middle.
	body, ctype = multipartBody(t, part{"images", "a.png", pic})
	cut := bytes.NewReader(body.Bytes()[:body.Len()-20])
	a.wantError(t, a.do(t, req{method: http.MethodPost, path: path, body: cut, ctype: ctype}), http.StatusBadRequest, simvid.EInvalid)
	// A file over the per-file cap, and a request over the per-request cap.
	big := append(bytes.Clone(pic), make([]byte, fileBytes)...)
	ans, status := a.upload(t, pid, nil, part{"images", "big.png", big})
	if status != http.StatusRequestEntityTooLarge || ans.Results[0].Err == nil || ans.Results[0].Err.Code != simvid.ETooLarge {
		t.Errorf("a file over the cap: %d %+v", status, ans.Results)
	}
	body, ctype = multipartBody(t, part{"images", "a.png", make([]byte, fileBytes-1)}, part{"images", "b.png", make([]byte, fileBytes-1)},
		part{"images", "c.png", make([]byte, fileBytes)})
	a.wantError(t, a.do(t, req{method: http.MethodPost, path: path, body: body, ctype: ctype}), http.StatusRequestEntityTooLarge, simvid.ETooLarge)
	// Unknown projects, and a key's project to anyone else.
	body, ctype = multipartBody(t, part{"images", "a.png", pic})
	a.wantError(t, a.do(t, req{method: http.MethodPost, path: "/api/v1/projects/" + simvid.NewID(simvid.PrefixProject) + "/images", body: body, ctype: ctype}),
		http.StatusNotFound, simvid.ENotFound)
	secret, _ := a.key(t, "k")
	owned := a.created(t, bearer(secret)...)
	body, ctype = multipartBody(t, part{"images", "a.png", pic})
	a.wantError(t, a.do(t, req{method: http.MethodPost, path: "/api/v1/projects/" + owned + "/images", body: body, ctype: ctype}),
		http.StatusNotFound, simvid.ENotFound)

	if len(a.Stored(t, pid).Spec.Slides)+len(a.Stored(t, owned).Spec.Slides) != 0 {
		t.Error("refused uploads made slides")
	}
	a.noTemps(t)
}

// A disk nearly full refuses uploads with 507 and a JSON error, keeping nothing.
func TestUploadStorageFull(t *testing.T) {
	t.Parallel()
	a := newAPI(t, withService(func(d *service.Deps) { d.Limits.MinFreeDisk = math.MaxUint64 }))
	pid := a.created(t)
	body, ctype := multipartBody(t, part{"images", "a.png", testutil.Picture(t, "png", 8, 8, color.White)})
	a.wantError(t, a.do(t, req{method: http.MethodPost, path: "/api/v1/projects/" + pid + "/images", body: body, ctype: ctype}),
		http.StatusInsufficientStorage, simvid.EStorageFull)
	body, ctype = multipartBody(t, part{"audio", "a.mp3", []byte("ID3")})
	a.wantError(t, a.do(t, req{method: http.MethodPost, path: "/api/v1/projects/" + pid + "/music", body: body, ctype: ctype}),
		http.StatusInsufficientStorage, simvid.EStorageFull)
	a.noTemps(t)
}
