package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/simvid/simvid/pkg/bench"
)

// refusal uploads one file to a scratch project through the API and returns the error
// message the API gives for it.
func refusal(t *testing.T, base, path string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := bench.NewClient(base).CreateProject(ctx)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, _ := w.CreateFormFile("images", filepath.Base(path))
	_, _ = part.Write(data)
	_ = w.Close()
	res, err := http.Post(base+"/api/v1/projects/"+p.ID+"/images", w.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Results []struct {
			OK    bool `json:"ok"`
			Error struct{ Code, Message string }
		} `json:"results"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || len(body.Results) != 1 || body.Results[0].OK {
		t.Fatalf("the API took %s (status %d, %v): %+v", path, res.StatusCode, err, body)
	}
	t.Logf("API: %d %s: %s", res.StatusCode, body.Results[0].Error.Code, body.Results[0].Error.Message)
	return body.Results[0].Error.Message
}

// TestBrowserBadFile adds a text file named photo.jpg between two good pictures: its tile
// says what the API said about it, and the two pictures are slides, on the page and on the
// server.
func TestBrowserBadFile(t *testing.T) {
	s := startAll(t, "")
	ctx := openPage(t, 1280, 900)
	dir := t.TempDir()
	good := pictures(t, dir, "red", "blue")
	bad := filepath.Join(dir, "photo.jpg")
	if err := os.WriteFile(bad, []byte("these are my holiday notes, not a photo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := refusal(t, s.URL, bad)
	if !strings.Contains(want, "photo.jpg") {
		t.Errorf("the API's message does not name the file: %q", want)
	}

	step(t, ctx, "upload", 30*time.Second, chromedp.Navigate(s.URL+"/"),
		until(`document.body.classList.contains('is-ready')`, 10*time.Second),
		chromedp.SetUploadFiles(chromedp.CSS("#file-input"), []string{good[0], bad, good[1]}),
		until(`document.querySelectorAll('.slide[data-slide-id]').length === 2 && document.querySelectorAll('.upload').length === 1`, 20*time.Second),
		until(`document.querySelector('.upload.is-failed') !== null`, 5*time.Second),
		until(names+` === 'red.jpg,blue.jpg'`, 5*time.Second),
		until(`[...document.querySelectorAll('.slide img')].every(i => i.complete && i.naturalWidth > 0)`, 10*time.Second))
	tile := eval[struct {
		Name, Error string
		Visible     bool
	}](t, ctx, `(() => { const li = document.querySelector('.upload.is-failed'); const e = li.querySelector('.upload-error');
		const r = e.getBoundingClientRect(); const cs = getComputedStyle(e);
		return {Name: li.querySelector('.tile-name').textContent, Error: e.textContent,
			Visible: r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none' && Number(cs.opacity) > 0}; })()`)
	if tile.Name != "photo.jpg" || tile.Error != want || !tile.Visible {
		t.Fatalf("refused tile %+v; want photo.jpg showing %q", tile, want)
	}
	shot(t, ctx, shotDir(t), "desktop-badfile.png")
	id := pageProject(t, ctx)
	serverAgrees(t, s.URL, id, "the two good photos", func(p map[string]any) bool {
		return slideField(p, "filename") == "red.jpg,blue.jpg"
	})
	if n := eval[string](t, ctx, `document.querySelector('#slide-count').textContent`); !strings.HasPrefix(n, "2 photos") {
		t.Errorf("slide count says %q", n)
	}
	step(t, ctx, "dismiss the refused file", 5*time.Second, chromedp.Click(chromedp.CSS(".upload-dismiss")),
		until(`document.querySelectorAll('.upload').length === 0 && document.querySelectorAll('.slide').length === 2`, time.Second),
		until(`!document.querySelector('#generate').disabled`, time.Second))
}
