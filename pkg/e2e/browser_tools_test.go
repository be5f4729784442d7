package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/simvid/simvid/pkg/testutil"
)

// TestBrowserSlideTools covers the page's smaller tools against the real `simvid all`:
// duplicating a photo, a per-photo fit, the live shape preview following the video size,
// dragging the music's start handle (by keyboard, as the handle is a slider) and listening
// to the chosen part of the music.
func TestBrowserSlideTools(t *testing.T) {
	s := startAll(t, "")
	ctx := openPage(t, 1280, 900)
	dir := t.TempDir()
	photos := pictures(t, dir, "red", "blue")
	song := testutil.Tone(t, dir, "song.mp3", 6)

	step(t, ctx, "open the page and add photos and music", 40*time.Second, chromedp.Navigate(s.URL+"/"),
		until(`document.body.classList.contains('is-ready')`, 10*time.Second),
		chromedp.SetUploadFiles(chromedp.CSS("#file-input"), photos),
		until(`document.querySelectorAll('.slide[data-slide-id]').length === 2 && document.querySelectorAll('.upload').length === 0`, 20*time.Second),
		chromedp.SetUploadFiles(chromedp.CSS("#music-input"), []string{song}),
		until(`!document.querySelector('#music-info').hidden && document.querySelector('#music-state').hidden && !document.querySelector('#music-listen').hidden`, 30*time.Second))
	id := pageProject(t, ctx)

	step(t, ctx, "duplicate red", 10*time.Second,
		chromedp.Click(chromedp.CSS("#slides > li:nth-child(1) .slide-dup")),
		until(names+` === 'red.jpg,red.jpg,blue.jpg'`, 5*time.Second))
	serverAgrees(t, s.URL, id, "the duplicated photo", func(p map[string]any) bool {
		return slideField(p, "filename") == "red.jpg,red.jpg,blue.jpg"
	})

	step(t, ctx, "blue gets its own fit", 10*time.Second, choose("#slides > li:nth-child(3) .slide-fit", "blur"))
	serverAgrees(t, s.URL, id, "blue's own fit", func(p map[string]any) bool { return slideField(p, "fit") == ",,blur" })

	// Fill the frame, then tap the photo near its bottom right: that is its focus point.
	step(t, ctx, "red fills the frame", 10*time.Second, choose("#slides > li:nth-child(1) .slide-fit", "cover"),
		until(`document.querySelector('#slides > li:nth-child(1) .tile-media').classList.contains('is-focusable') && !document.querySelector('#slides > li:nth-child(1) .focus-dot').hidden`, 5*time.Second),
		center("#slides"))
	img := eval[box](t, ctx, `(() => { const i = document.querySelector('#slides > li:nth-child(1) img'), m = i.parentElement;
		const r = m.getBoundingClientRect(), k = Math.min(r.width / i.naturalWidth, r.height / i.naturalHeight);
		const w = i.naturalWidth * k, hh = i.naturalHeight * k;
		return {X: r.left + (r.width - w) / 2, Y: r.top + (r.height - hh) / 2, W: w, H: hh}; })()`)
	step(t, ctx, "tap the focus point", 10*time.Second, chromedp.MouseClickXY(img.X+img.W*0.8, img.Y+img.H*0.75))
	p := serverAgrees(t, s.URL, id, "red's focus point", func(p map[string]any) bool {
		f, _ := p["slides"].([]any)[0].(map[string]any)["focus"].([]any)
		return len(f) == 2 && f[0].(float64) > 0.75 && f[0].(float64) < 0.85 && f[1].(float64) > 0.7 && f[1].(float64) < 0.8
	})
	t.Logf("focus after the tap: %v", p["slides"].([]any)[0].(map[string]any)["focus"])

	ratio := func() float64 {
		r := rect(t, ctx, "#shape-frame")
		return r.W / r.H
	}
	step(t, ctx, "the shape preview shows the first photo", 10*time.Second,
		choose("#resolution", "1920x1080"),
		until(`document.querySelector('#shape-img').complete && !document.querySelector('#shape-img').hidden`, 5*time.Second))
	if r := ratio(); r < 1.7 || r > 1.85 {
		t.Fatalf("shape preview of 1920x1080 is %.2f wide per high", r)
	}
	step(t, ctx, "phone size", 5*time.Second, choose("#resolution", "1080x1920"),
		until(`document.querySelector('#shape-label').textContent.includes('9:16')`, 2*time.Second))
	if r := ratio(); r < 0.54 || r > 0.6 {
		t.Fatalf("shape preview of 1080x1920 is %.2f wide per high", r)
	}

	// The start handle moves by keyboard like any slider: each step is 0.1 s.
	step(t, ctx, "drag the start handle", 10*time.Second, center("#waveform-box"),
		chromedp.Focus(chromedp.CSS("#music-start-handle")),
		chromedp.KeyEvent(kb.ArrowRight+kb.ArrowRight+kb.ArrowRight+kb.ArrowRight+kb.ArrowRight),
		until(`document.querySelector('#music-start').value === '0:00.5'`, 2*time.Second),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#music-start-handle').dispatchEvent(new Event('change', {bubbles: true}))`))
	serverAgrees(t, s.URL, id, "the dragged start", func(p map[string]any) bool { return field(p, "music", "start") == 0.5 })

	step(t, ctx, "a quick preview plays in the page", 90*time.Second,
		chromedp.Click(chromedp.CSS("#preview")),
		until(`!document.querySelector('#result').hidden && document.querySelector('#result-info').textContent.startsWith('Preview (draft, 480x854)')`, 80*time.Second),
		until(`document.querySelector('#result-video').readyState >= 1 && document.querySelector('#result-video').videoHeight === 854`, 10*time.Second))

	step(t, ctx, "listen from the start handle", 20*time.Second,
		chromedp.Click(chromedp.CSS("#music-listen")),
		until(`(() => { const a = document.querySelector('#music-audio'); return !a.paused && a.currentTime > 0.8; })()`, 10*time.Second),
		until(`document.querySelector('#music-listen').getAttribute('aria-pressed') === 'true'`, time.Second),
		chromedp.Click(chromedp.CSS("#music-listen")),
		until(`document.querySelector('#music-audio').paused`, 2*time.Second))
}
