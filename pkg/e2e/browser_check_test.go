package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/testutil"
)

// box is an element's place in the viewport, in CSS pixels.
type box struct {
	X, Y, W, H float64
}

// rect returns the box of the first element matching sel.
func rect(t *testing.T, ctx context.Context, sel string) box {
	t.Helper()
	return eval[box](t, ctx, fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect();
		return {X: r.left, Y: r.top, W: r.width, H: r.height}; })()`, sel))
}

// center scrolls the page so that the element matching sel is in the middle of the view.
func center(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).scrollIntoView({block: 'center'})`, sel))
}

// serverAgrees polls the project through the API until ok accepts it (up to 10 s).
func serverAgrees(t *testing.T, base, id, what string, ok func(p map[string]any) bool) map[string]any {
	t.Helper()
	var p map[string]any
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		p = getJSON(t, base+"/api/v1/projects/"+id, http.StatusOK)
		if ok(p) {
			return p
		}
	}
	if m, ok := p["music"].(map[string]any); ok {
		delete(m, "peaks")
	}
	t.Fatalf("the server never had %s: %v", what, p)
	return nil
}

// slideField lists one field of the project's slides, joined by commas.
func slideField(p map[string]any, field string) string {
	var out []string
	for _, s := range p["slides"].([]any) {
		v, ok := s.(map[string]any)[field]
		if !ok || v == nil {
			v = "" // the server leaves out empty fields
		}
		out = append(out, fmt.Sprint(v))
	}
	return strings.Join(out, ",")
}

// field walks nested objects of a JSON value: field(p, "spec", "output", "resolution").
func field(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// downloadLink fetches the page's #download link as a browser's download would and
// returns the saved file.
func downloadLink(t *testing.T, ctx context.Context) string {
	t.Helper()
	href := eval[string](t, ctx, `document.querySelector('#download').href`)
	res, err := http.Get(href)
	if err != nil {
		t.Fatalf("download %s: %v", href, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("download %s: %s", href, res.Status)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, ".mp4") {
		t.Fatalf("download %s: Content-Disposition %q", href, cd)
	}
	out := filepath.Join(t.TempDir(), "download.mp4")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		t.Fatalf("download %s: %v", href, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkVideo probes a downloaded video: size, exact frame count, yuv420p, clean decode, and
// an audio stream when the project has music.
func checkVideo(t *testing.T, path string, w, h int, frames int64, music bool) *ffmpeg.Probe {
	t.Helper()
	p := testutil.Probe(t, path)
	v := p.Video()
	if v == nil || v.Width != w || v.Height != h || v.PixFmt != "yuv420p" || int64(v.Frames()) != frames {
		t.Fatalf("video stream %+v, want %dx%d yuv420p with %d frames", v, w, h, frames)
	}
	if music && p.Audio() == nil {
		t.Fatal("the video has no audio")
	}
	if e := testutil.DecodeErrors(t, path); e != "" {
		t.Fatalf("decode errors: %s", e)
	}
	return p
}

// generate presses Generate and waits for the finished video; it returns every value the
// progress bar showed.
func generate(t *testing.T, ctx context.Context, limit time.Duration) []float64 {
	t.Helper()
	step(t, ctx, "generate", limit, chromedp.Evaluate[chromedp.Void](recordProgress),
		until(`!document.querySelector('#generate').disabled`, 10*time.Second),
		chromedp.Click(chromedp.CSS("#generate")),
		until(`!document.querySelector('#result').hidden || !document.querySelector('#render-failed').hidden`, limit))
	if failed := eval[string](t, ctx, `document.querySelector('#render-failed').hidden ? '' : document.querySelector('#render-error').textContent`); failed != "" {
		t.Fatalf("the page shows a failed render: %s", failed)
	}
	step(t, ctx, "show the video", 5*time.Second,
		until(`/\/api\/v1\/renders\/rnd_[\w-]+\/video$/.test(document.querySelector('#result-video').getAttribute('src') || '')`, time.Second))
	seen := eval[[]float64](t, ctx, `window.__progress`)
	if len(seen) == 0 || seen[len(seen)-1] != 100 {
		t.Fatalf("the progress bar showed %v; want it to end at 100", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] < seen[i-1] {
			t.Fatalf("the progress bar went back: %v", seen)
		}
	}
	return seen
}
