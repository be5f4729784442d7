package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/httpapi"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

// A stored file reaches the client through the service (service.File) and http.ServeContent:
// Range, conditional requests and HEAD work, the headers are the ones clients and caches
// rely on, and a picture of another project is a JSON 404 that shows nothing of it.
func TestStoredFileServedWithRangeAndHeaders(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, "", dir, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	files, err := media.NewFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	svc := service.New(service.Deps{Store: st, Files: files, Log: zap.NewNop()})
	srv := httpapi.New(httpapi.Deps{Service: svc, Log: zap.NewNop()})

	mine, err := svc.CreateProject(ctx, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	other, err := svc.CreateProject(ctx, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixImage), ProjectID: mine.ID, Kind: simvid.KindImage,
		State: simvid.AssetReady, OriginalName: "a.jpg", Size: 10, Format: "jpeg", Width: 4, Height: 4}
	if err := st.CreateAsset(ctx, a); err != nil {
		t.Fatal(err)
	}
	thumb, err := files.Thumbnail(mine.ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("0123456789abcdef")
	if err := os.MkdirAll(filepath.Dir(thumb), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(thumb, content, 0o640); err != nil {
		t.Fatal(err)
	}
	mod := time.Date(2026, 3, 4, 5, 6, 7, 890, time.UTC)
	if err := os.Chtimes(thumb, mod, mod); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/projects/" + mine.ID + "/images/" + a.ID + "/thumbnail"
	do := func(method, path string, header map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec
	}

	rec := do(http.MethodGet, path, map[string]string{"Range": "bytes=2-5"})
	if rec.Code != http.StatusPartialContent || rec.Body.String() != "2345" {
		t.Fatalf("Range bytes=2-5: %d %q; want 206 \"2345\"", rec.Code, rec.Body)
	}
	want := map[string]string{
		"Content-Type":        "image/jpeg",
		"ETag":                `"` + a.ID + `"`,
		"Cache-Control":       "private, max-age=31536000, immutable",
		"Content-Range":       "bytes 2-5/16",
		"Content-Length":      "4",
		"Accept-Ranges":       "bytes",
		"Last-Modified":       mod.Truncate(time.Second).Format(http.TimeFormat),
		"Content-Disposition": "",
	}
	for k, v := range want {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("%s: %q; want %q", k, got, v)
		}
	}

	if rec := do(http.MethodGet, path, nil); rec.Code != http.StatusOK || rec.Body.String() != string(content) {
		t.Errorf("GET: %d %q; want 200 and the whole file", rec.Code, rec.Body)
	}
	if rec := do(http.MethodGet, path, map[string]string{"If-None-Match": `"` + a.ID + `"`}); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match with its ETag: %d; want 304", rec.Code)
	}

	// Another project's picture, an unknown one, and a picture whose file is gone: JSON 404s.
	for _, tc := range []struct{ path, msg string }{
		{"/api/v1/projects/" + other.ID + "/images/" + a.ID + "/thumbnail", "picture not found"},
		{"/api/v1/projects/" + mine.ID + "/images/nope/thumbnail", "picture not found"},
	} {
		rec := do(http.MethodGet, tc.path, nil)
		var body struct {
			Error struct{ Code, Message string }
		}
		if rec.Code != http.StatusNotFound || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Error.Message != tc.msg {
			t.Errorf("GET %s: %d %s; want 404 %q", tc.path, rec.Code, rec.Body, tc.msg)
		}
	}
	if err := os.Remove(thumb); err != nil {
		t.Fatal(err)
	}
	rec = do(http.MethodGet, path, nil)
	if rec.Code != http.StatusNotFound || rec.Header().Get("ETag") != "" || !strings.Contains(rec.Body.String(), `"file not found"`) {
		t.Errorf("GET a thumbnail whose file is gone: %d (ETag %q) %s; want a 404 \"file not found\" without file headers", rec.Code, rec.Header().Get("ETag"), rec.Body)
	}
}
