package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/simvid/simvid/pkg/testutil"
)

// browser starts headless Chromium (testutil.OpenBrowser) beside the page served with the
// fake API. Exceptions and console errors of the page fail the test.
func browser(t *testing.T) (context.Context, *fakeAPI, string) {
	t.Helper()
	ctx := testutil.OpenBrowser(t, 1280, 900)
	fake := newFakeAPI(t)
	srv := httptest.NewServer(fake.handler())
	t.Cleanup(srv.Close)
	return ctx, fake, srv.URL
}

// waitJS polls a JavaScript expression until it is true.
func waitJS(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(10*time.Second))
}

func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// setValue sets a control's value and fires its change event, as a person choosing would.
func setValue(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = %q;
		el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); })()`, sel, value))
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("SIMVID_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func (f *fakeAPI) only(t *testing.T) *fakeProject {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.projects) != 1 {
		t.Fatalf("%d projects, want 1", len(f.projects))
	}
	for _, p := range f.projects {
		return p
	}
	return nil
}

func (f *fakeAPI) check(t *testing.T, what string, ok func(p *fakeProject) bool) {
	t.Helper()
	p := f.only(t)
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		f.mu.Lock()
		good := ok(p)
		f.mu.Unlock()
		if good {
			return
		}
	}
	t.Fatalf("the server never saw %s", what)
}

func TestPageInBrowser(t *testing.T) {
	ctx, fake, base := browser(t)
	dir := t.TempDir()
	var files []string
	for _, name := range []string{"a.jpg", "b.jpg", "notes.txt", "c.jpg"} {
		path := filepath.Join(dir, name)
		body := fake.jpeg
		if strings.HasSuffix(name, ".txt") {
			body = []byte("hello")
		}
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	song := filepath.Join(dir, "song.mp3")
	if err := os.WriteFile(song, []byte("ID3 not really a song"), 0o644); err != nil {
		t.Fatal(err)
	}

	run(t, ctx, "open the page", chromedp.Navigate(base+"/"), waitJS(`document.body.classList.contains('is-ready')`),
		waitJS(`document.querySelector('#resolution').options[1].textContent === '1080x1920 (9:16 phone)'`),
		waitJS(`document.querySelector('#generate').disabled`))
	screenshot(t, ctx, "empty.png")

	run(t, ctx, "upload photos", chromedp.SetUploadFiles(chromedp.CSS("#file-input"), files),
		waitJS(`document.querySelectorAll('.slide[data-slide-id]').length === 3`),
		waitJS(`(document.querySelector('.upload.is-failed .upload-error') || {}).textContent === 'notes.txt: this is not a picture (JPEG, PNG, WebP, GIF, BMP or TIFF)'`),
		waitJS(`[...document.querySelectorAll('.slide .tile-name')].map(e => e.textContent).join() === 'a.jpg,b.jpg,c.jpg'`),
		waitJS(`/[?&]p=prj_/.test(location.search) && localStorage.getItem('simvid.project') !== null`),
		waitJS(`!document.querySelector('#generate').disabled`))
	fake.check(t, "the photos in the order added", func(p *fakeProject) bool {
		return len(p.slides) == 3 && p.slides[0]["filename"] == "a.jpg" && p.slides[2]["filename"] == "c.jpg"
	})
	screenshot(t, ctx, "photos.png")

	run(t, ctx, "dismiss the refused file", chromedp.Click(chromedp.CSS(".upload-dismiss")),
		waitJS(`document.querySelectorAll('.upload').length === 0`))

	run(t, ctx, "move the first photo right", chromedp.Click(chromedp.CSS(".slide .slide-right")),
		waitJS(`[...document.querySelectorAll('.slide .tile-name')].map(e => e.textContent).join() === 'b.jpg,a.jpg,c.jpg'`),
		waitJS(`document.activeElement && document.activeElement.classList.contains('slide-right')`))
	fake.check(t, "the new order", func(p *fakeProject) bool { return p.slides[0]["filename"] == "b.jpg" })

	run(t, ctx, "remove a photo", chromedp.Click(chromedp.CSS(".slide:last-child .slide-remove")),
		waitJS(`document.querySelectorAll('.slide').length === 2`))

	run(t, ctx, "caption and duration", chromedp.SendKeys(chromedp.CSS(".slide .slide-caption"), "Day one"),
		setValue(".slide .slide-duration", "4.5"))
	fake.check(t, "the caption and duration", func(p *fakeProject) bool {
		return p.slides[0]["caption"] == "Day one" && p.slides[0]["duration"] == 4.5
	})

	run(t, ctx, "settings", setValue("#fit", "blur"), setValue("#transition", "wipeleft"), setValue("#duration", "2.5"),
		waitJS(`document.querySelector('#background-field').hidden`))
	fake.check(t, "the settings", func(p *fakeProject) bool {
		return p.spec["defaults"].(map[string]any)["fit"] == "blur" && p.spec["transition"].(map[string]any)["name"] == "wipeleft" &&
			p.spec["defaults"].(map[string]any)["duration"] == 2.5
	})

	fake.mu.Lock()
	fake.failPatch = true
	fake.mu.Unlock()
	run(t, ctx, "a server error that is not JSON", setValue("#quality", "high"),
		waitJS(`document.querySelector('#error').textContent === 'The server had a problem; please try again.'`),
		waitJS(`document.querySelector('#quality').value === 'standard'`),
		chromedp.Click(chromedp.CSS("#error-dismiss")), waitJS(`document.querySelector('#error').textContent === ''`))

	run(t, ctx, "music", chromedp.SetUploadFiles(chromedp.CSS("#music-input"), []string{song}),
		waitJS(`document.querySelector('#music-name').textContent === 'song.mp3'`),
		waitJS(`document.querySelector('#music-length').textContent === '(3:01)' && !document.querySelector('#waveform').hidden`),
		setValue("#music-start", "0:30"), setValue("#music-end", "90"))
	fake.check(t, "the music range", func(p *fakeProject) bool { return p.music["start"] == 30.0 && p.music["end"] == 90.0 })
	run(t, ctx, "a bad music time", setValue("#music-end", "0:10"),
		waitJS(`document.querySelector('#error').textContent === 'Music end must be after its start.'`),
		waitJS(`document.querySelector('#music-end').value === '1:30'`))

	run(t, ctx, "generate, following the event stream", chromedp.Click(chromedp.CSS("#generate")),
		waitJS(`!document.querySelector('#render-progress').hidden || !document.querySelector('#result').hidden`),
		waitJS(`/\/api\/v1\/renders\/rnd_\w+\/video$/.test(document.querySelector('#result-video').getAttribute('src'))`),
		waitJS(`document.querySelector('#download').getAttribute('href').endsWith('/video?download=1')`),
		waitJS(`document.querySelector('#progress').getAttribute('aria-valuenow') !== null`),
		waitJS(`!document.querySelector('#generate').disabled && document.querySelector('#cancel').hidden`))
	screenshot(t, ctx, "done.png")

	fake.mu.Lock()
	fake.noSSE = true
	fake.mu.Unlock()
	run(t, ctx, "generate, polling when the stream fails", chromedp.Click(chromedp.CSS("#generate")),
		waitJS(`document.querySelectorAll('#history .history-item').length === 1`),
		waitJS(`document.querySelector('#result-video').getAttribute('src').includes('rnd_')`))

	run(t, ctx, "reload restores the project", chromedp.Reload(), waitJS(`document.body.classList.contains('is-ready')`),
		waitJS(`document.querySelectorAll('.slide').length === 2`),
		waitJS(`document.querySelector('.slide .slide-caption').value === 'Day one'`),
		waitJS(`document.querySelector('#fit').value === 'blur' && document.querySelector('#music-start').value === '0:30'`),
		waitJS(`!document.querySelector('#result').hidden`))

	run(t, ctx, "an unknown project starts fresh", chromedp.Navigate(base+"/?p=prj_0000000000000000000000"),
		waitJS(`document.body.classList.contains('is-ready')`),
		waitJS(`document.querySelector('#note').textContent.includes('no longer exists')`),
		waitJS(`!location.search.includes('p=') && localStorage.getItem('simvid.project') === null`),
		waitJS(`document.querySelectorAll('.slide').length === 0`))

	run(t, ctx, "phone width", chromedp.EmulateViewport(360, 740), chromedp.Navigate(base+"/"),
		waitJS(`document.body.classList.contains('is-ready')`),
		waitJS(`document.documentElement.scrollWidth <= 360`))
	screenshot(t, ctx, "phone.png")
	if os.Getenv("SIMVID_SCREENSHOT_DIR") != "" {
		run(t, ctx, "dark", chromedp.EmulateViewport(1280, 900), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
			return err
		}))
		screenshot(t, ctx, "dark.png")
	}
}
