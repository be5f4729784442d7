package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// cutSelects lists every per-photo Fit and Motion choice whose words do not fit its select:
// for each option, a copy of the select holding only that option, sized to its content, must
// be no wider than the select itself.
const cutSelects = `(() => {
	const cut = [];
	for (const sel of document.querySelectorAll('.slide .slide-fit, .slide .slide-motion')) {
		if (sel.closest('[hidden]')) continue;
		const w = sel.getBoundingClientRect().width;
		for (const o of sel.options) {
			const probe = sel.cloneNode(false);
			probe.append(new Option(o.textContent, o.value));
			probe.style.setProperty('width', 'auto', 'important');
			probe.style.setProperty('position', 'absolute');
			probe.style.setProperty('visibility', 'hidden');
			sel.parentElement.append(probe);
			const need = probe.getBoundingClientRect().width;
			probe.remove();
			if (need > w + 0.5) cut.push(sel.className + ' "' + o.textContent + '" needs ' + Math.ceil(need) + ' px, has ' + Math.floor(w));
		}
		if (sel.scrollWidth > sel.clientWidth) cut.push(sel.className + ' scrollWidth ' + sel.scrollWidth + ' > clientWidth ' + sel.clientWidth);
	}
	return cut;
})()`

func checkSelects(t *testing.T, ctx context.Context, width int) {
	t.Helper()
	if n := eval[int](t, ctx, `document.querySelectorAll('.slide .slide-fit, .slide .slide-motion').length`); n < 4 {
		t.Fatalf("at %d px: %d per-photo selects, want Fit and Motion on each of 2 photos", width, n)
	}
	if cut := eval[[]string](t, ctx, cutSelects); len(cut) > 0 {
		t.Fatalf("at %d px wide, %d per-photo choices are cut off: %v", width, len(cut), cut)
	}
}

// TestBrowserPhotoChoicesUndoAndTitles: the per-photo Fit and Motion choices are readable at
// 1280 and 390 px; removing a photo can be undone (and is final once the toast is gone); the
// title and end slides set in the page are saved and make the video longer by their seconds.
func TestBrowserPhotoChoicesUndoAndTitles(t *testing.T) {
	s := startAll(t, "")
	ctx := openPage(t, 1280, 900)
	dir := shotDir(t)
	photos := pictures(t, t.TempDir(), "red", "blue")

	step(t, ctx, "add two photos", 40*time.Second, chromedp.Navigate(s.URL+"/"),
		until(`document.body.classList.contains('is-ready')`, 10*time.Second),
		chromedp.SetUploadFiles(chromedp.CSS("#file-input"), photos),
		until(`document.querySelectorAll('.slide[data-slide-id]').length === 2 && document.querySelectorAll('.upload').length === 0`, 30*time.Second),
		until(names+` === 'red.jpg,blue.jpg'`, 5*time.Second))
	id := pageProject(t, ctx)
	checkSelects(t, ctx, 1280)
	shot(t, ctx, dir, "page-1280.png")
	step(t, ctx, "phone width", 10*time.Second, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1)),
		until(`document.documentElement.clientWidth === 390`, 5*time.Second))
	checkSelects(t, ctx, 390)
	shot(t, ctx, dir, "page-390.png")
	step(t, ctx, "desktop width", 10*time.Second, chromedp.EmulateViewport(1280, 900, chromedp.EmulateScale(1)))

	// Remove red, then undo: it comes back in its place and the server never lost it.
	step(t, ctx, "remove red", 10*time.Second, center("#slides"),
		chromedp.Click(chromedp.CSS("#slides > li:nth-child(1) .slide-remove")),
		until(names+` === 'blue.jpg' && !document.querySelector('#toast').hidden`, 3*time.Second))
	if txt := eval[string](t, ctx, `document.querySelector('#toast').textContent`); txt == "" {
		t.Fatal("the toast says nothing")
	}
	shot(t, ctx, dir, "page-toast.png")
	step(t, ctx, "undo", 10*time.Second, chromedp.Click(chromedp.CSS("#toast .toast-action")),
		until(names+` === 'red.jpg,blue.jpg' && document.querySelector('#toast').hidden`, 3*time.Second))
	time.Sleep(7 * time.Second) // past the toast's time: nothing may be sent now
	serverAgrees(t, s.URL, id, "both photos after the undo", func(p map[string]any) bool {
		return slideField(p, "filename") == "red.jpg,blue.jpg"
	})
	step(t, ctx, "reload after the undo", 20*time.Second, chromedp.Reload(),
		until(`document.body.classList.contains('is-ready') && `+names+` === 'red.jpg,blue.jpg'`, 10*time.Second))

	// Remove red and let the toast run out: it is gone, on the server and after a reload.
	step(t, ctx, "remove red for good", 20*time.Second, center("#slides"),
		chromedp.Click(chromedp.CSS("#slides > li:nth-child(1) .slide-remove")),
		until(names+` === 'blue.jpg' && !document.querySelector('#toast').hidden`, 3*time.Second),
		until(`document.querySelector('#toast').hidden`, 10*time.Second))
	serverAgrees(t, s.URL, id, "red removed", func(p map[string]any) bool { return slideField(p, "filename") == "blue.jpg" })
	step(t, ctx, "reload after the removal", 20*time.Second, chromedp.Reload(),
		until(`document.body.classList.contains('is-ready') && `+names+` === 'blue.jpg'`, 10*time.Second))

	// Leaving the page while Undo is offered removes the photo: what was shown is what is kept.
	step(t, ctx, "add red again", 30*time.Second,
		chromedp.SetUploadFiles(chromedp.CSS("#file-input"), photos[:1]),
		until(`document.querySelectorAll('.slide[data-slide-id]').length === 2 && document.querySelectorAll('.upload').length === 0`, 20*time.Second))
	step(t, ctx, "remove red and leave", 20*time.Second, center("#slides"),
		chromedp.Click(chromedp.CSS("#slides > li:nth-child(2) .slide-remove")),
		until(`!document.querySelector('#toast').hidden`, 3*time.Second),
		chromedp.Navigate(s.URL+"/?p="+id),
		until(`document.body.classList.contains('is-ready')`, 10*time.Second))
	serverAgrees(t, s.URL, id, "the removal sent on leaving", func(p map[string]any) bool { return slideField(p, "filename") == "blue.jpg" })

	// Title and end slides: set in the page, saved in the spec, and in the video.
	step(t, ctx, "title and end", 20*time.Second,
		choose("#transition", "none"), choose("#resolution", "854x480"), choose("#quality", "draft"),
		chromedp.SendKeys(chromedp.CSS("#title-text"), "Our summer"),
		choose("#title-seconds", "2"),
		chromedp.Click(chromedp.CSS("#title-plain")),
		chromedp.SendKeys(chromedp.CSS("#end-text"), "The end"))
	serverAgrees(t, s.URL, id, "the title and end slides", func(p map[string]any) bool {
		return field(p, "spec", "title", "text") == "Our summer" && field(p, "spec", "title", "duration") == 2.0 &&
			field(p, "spec", "title", "background") == "#000000" && field(p, "spec", "end", "text") == "The end" &&
			field(p, "spec", "transition", "name") == "none" && field(p, "spec", "output", "resolution") == "854x480"
	})
	generate(t, ctx, 90*time.Second)
	// blue's 3 s, the title's 2 s and the end's 3 s (its default), at 30 fps, cut straight.
	checkVideo(t, downloadLink(t, ctx), 854, 480, 8*30, false)

	// Emptying the words takes the title away.
	step(t, ctx, "remove the title", 10*time.Second, choose("#title-text", ""))
	p := serverAgrees(t, s.URL, id, "no title", func(p map[string]any) bool { return field(p, "spec", "title") == nil })
	if field(p, "spec", "end", "text") != "The end" {
		t.Fatalf("the end slide went with the title: %v", field(p, "spec"))
	}
}
