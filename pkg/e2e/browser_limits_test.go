package e2e

import (
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// tinyPhotos writes n small JPEGs of different colours (64x48): many photos, little work.
func tinyPhotos(t *testing.T, dir string, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range n {
		img := image.NewRGBA(image.Rect(0, 0, 64, 48))
		c := color.RGBA{uint8(i * 37), uint8(i * 91), uint8(255 - i), 255}
		for p := 0; p < len(img.Pix); p += 4 {
			img.Pix[p], img.Pix[p+1], img.Pix[p+2], img.Pix[p+3] = c.R, c.G, c.B, c.A
		}
		out[i] = filepath.Join(dir, fmt.Sprintf("photo%03d.jpg", i+1))
		f, err := os.Create(out[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 80}); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// pageAPI imports the page's own api.js (the same file, version and all) in the page.
const pageAPI = `const { api } = await import(document.querySelector('script[type=module]').src.replace('/app.js', '/api.js'));
	const id = new URLSearchParams(location.search).get('p');`

// TestBrowserDefaultLimitsHoldAPersonsHour: on a fresh `simvid all` with the default
// settings, one drop of 200 photos lands every one (the page sends one request per photo),
// then 300 settings changes, 100 captions and 20 reorderings through the page's own calls
// all answer 2xx. The old defaults (20 uploads, 100 other calls an hour) stopped at 20.
func TestBrowserDefaultLimitsHoldAPersonsHour(t *testing.T) {
	s := startAll(t, "")
	ctx := openPage(t, 1280, 900)
	photos := tinyPhotos(t, t.TempDir(), 200)

	start := time.Now()
	step(t, ctx, "drop 200 photos", 30*time.Second, chromedp.Navigate(s.URL+"/"),
		until(`document.body.classList.contains('is-ready')`, 10*time.Second),
		chromedp.SetUploadFiles(chromedp.CSS("#file-input"), photos))
	// Wait for the queue to empty or a photo to be refused, saying how far it got.
	for deadline := time.Now().Add(8 * time.Minute); ; time.Sleep(2 * time.Second) {
		left := eval[int](t, ctx, `document.querySelector('.upload.is-failed') ? -1 : document.querySelectorAll('.upload').length`)
		if left <= 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 200 photos still uploading after %v", left, time.Since(start).Round(time.Second))
		}
		if time.Since(start)%(20*time.Second) < 2*time.Second {
			t.Logf("%d of 200 photos still uploading after %v", left, time.Since(start).Round(time.Second))
		}
	}
	if failed := eval[[]string](t, ctx, `[...document.querySelectorAll('.upload.is-failed')].map(li =>
		li.querySelector('.tile-name').textContent + ': ' + li.querySelector('.upload-error').textContent)`); len(failed) > 0 {
		t.Fatalf("%d of 200 photos were refused, the first: %s", len(failed), failed[0])
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('.slide[data-slide-id]').length`); n != 200 {
		t.Fatalf("%d photo tiles after the drop, want 200", n)
	}
	id := pageProject(t, ctx)
	serverAgrees(t, s.URL, id, "200 slides", func(p map[string]any) bool { return len(p["slides"].([]any)) == 200 })
	t.Logf("200 photos landed in %v", time.Since(start).Round(time.Second))

	start = time.Now()
	refused := eval[[]string](t, ctx, `(async () => { `+pageAPI+`
		const refused = [];
		const call = async (what, f) => { try { await f(); } catch (e) { refused.push(what + ': ' + e.status + ' ' + e.message); } };
		const transitions = ['fade', 'none', 'fadeblack'];
		for (let i = 0; i < 300; i++) {
			const patch = [{ defaults: { duration: 1 + (i % 8) * 0.5 } }, { transition: { name: transitions[i % 3] } },
				{ output: { quality: i % 2 ? 'draft' : 'standard' } }][i % 3];
			await call('settings change ' + (i + 1), () => api.patchSettings(id, patch));
		}
		let p = await api.getProject(id);
		for (let i = 0; i < 100; i++) {
			await call('caption ' + (i + 1), () => api.patchSlide(id, p.slides[i].id, { caption: 'Day ' + i }));
		}
		for (let i = 0; i < 20; i++) {
			const order = p.slides.map((s) => s.id).reverse();
			await call('reorder ' + (i + 1), async () => { p = await api.putOrder(id, order); });
		}
		return refused;
	})()`)
	if len(refused) > 0 {
		t.Fatalf("%d of 420 changes were refused, the first: %s", len(refused), refused[0])
	}
	t.Logf("420 changes answered 2xx in %v", time.Since(start).Round(time.Second))
	serverAgrees(t, s.URL, id, "the last changes", func(p map[string]any) bool {
		return field(p, "spec", "output", "quality") == "draft" && len(p["slides"].([]any)) == 200
	})
}
