package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/simvid/simvid/pkg/testutil"
)

// TestBrowserDesktop drives the page in headless Chromium at 1280x900 against the real
// `simvid all`: upload three photos and music, reorder by dragging a tile with the mouse,
// remove one, caption one, trim the music, pick a small size, generate, watch the progress,
// play the video to its end and download it; the MP4 and the project the API keeps agree
// with what was done on the page.
func TestBrowserDesktop(t *testing.T) {
	s := startAll(t, "")
	ctx := openPage(t, 1280, 900)
	dir := t.TempDir()
	shots := shotDir(t)
	photos := pictures(t, dir, "red", "lime", "blue")
	song := testutil.Tone(t, dir, "song.mp3", 8)

	step(t, ctx, "open the page", 20*time.Second, chromedp.Navigate(s.URL+"/"),
		until(`document.body.classList.contains('is-ready')`, 10*time.Second),
		until(`[...document.querySelector('#resolution').options].some(o => o.value === '640x480')`, time.Second))
	shot(t, ctx, shots, "desktop-empty.png")

	step(t, ctx, "upload photos and music", 30*time.Second,
		chromedp.SetUploadFiles(chromedp.CSS("#file-input"), photos),
		until(`document.querySelectorAll('.slide[data-slide-id]').length === 3 && document.querySelectorAll('.upload').length === 0`, 20*time.Second),
		until(names+` === 'red.jpg,lime.jpg,blue.jpg'`, 5*time.Second),
		// Server thumbnails, loaded (not the browser's own preview of the file).
		until(`[...document.querySelectorAll('.slide img')].every(i => /\/thumbnail$/.test(i.getAttribute('src')) && i.complete && i.naturalWidth > 0)`, 10*time.Second),
		chromedp.SetUploadFiles(chromedp.CSS("#music-input"), []string{song}),
		until(`document.querySelector('#music-name').textContent === 'song.mp3' && !document.querySelector('#music-range').hidden`, 20*time.Second))
	id := pageProject(t, ctx)
	shot(t, ctx, shots, "desktop-photos.png")

	// Drag the third tile by its picture onto the left half of the first: it goes first.
	step(t, ctx, "show the photos", 5*time.Second, center("#slides"))
	from := rect(t, ctx, "#slides > li:nth-child(3) .tile-media")
	to := rect(t, ctx, "#slides > li:nth-child(1) .tile-media")
	step(t, ctx, "drag blue before red", 20*time.Second,
		chromedp.DragAndDropXY(from.X+from.W/2, from.Y+from.H/2, to.X+to.W/4, to.Y+to.H/2, 12),
		until(names+` === 'blue.jpg,red.jpg,lime.jpg'`, 5*time.Second))
	serverAgrees(t, s.URL, id, "the dragged order", func(p map[string]any) bool {
		return slideField(p, "filename") == "blue.jpg,red.jpg,lime.jpg"
	})

	step(t, ctx, "remove lime, caption blue", 20*time.Second,
		chromedp.Click(chromedp.CSS("#slides > li:nth-child(3) .slide-remove")),
		until(`document.querySelectorAll('.slide').length === 2 && `+names+` === 'blue.jpg,red.jpg'`, 5*time.Second),
		chromedp.SendKeys(chromedp.CSS("#slides > li:nth-child(1) .slide-caption"), "Day one"),
		choose("#music-start", "0:02"), choose("#music-end", "6"),
		choose("#resolution", "640x480"), choose("#duration", "1"),
		until(`document.querySelector('#duration-out').textContent === '1 s'`, time.Second),
		until(`document.querySelector('#toast').hidden`, 10*time.Second)) // Undo is over: the removal is sent
	agreed := func(p map[string]any) bool {
		return slideField(p, "filename") == "blue.jpg,red.jpg" && slideField(p, "caption") == "Day one," &&
			field(p, "music", "start") == 2.0 && field(p, "music", "end") == 6.0 &&
			field(p, "spec", "output", "resolution") == "640x480" && field(p, "spec", "defaults", "duration") == 1.0
	}
	serverAgrees(t, s.URL, id, "the arranged project", agreed)

	seen := generate(t, ctx, 60*time.Second)
	t.Logf("progress bar values: %v", seen)
	step(t, ctx, "result shown", 5*time.Second,
		until(`document.querySelector('#download').getAttribute('href').endsWith('/video?download=1')`, time.Second),
		chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	shot(t, ctx, shots, "desktop-done.png")
	if problem := playToEnd(t, ctx); problem != "" {
		t.Fatalf("playing the video: %s", problem)
	}

	video := downloadLink(t, ctx)
	checkVideo(t, video, 640, 480, 60, true)
	// The order arranged on the page is the order in the video: blue first, then red.
	for _, c := range []struct {
		at      float64
		r, g, b uint8
	}{{0.2, 0, 0, 255}, {1.9, 255, 0, 0}} {
		if r, g, b := testutil.RGB(testutil.Frame(t, video, c.at), 0.2, 0.2); !testutil.Near(r, g, b, c.r, c.g, c.b, 40) {
			t.Errorf("frame at %gs is %d,%d,%d; want %d,%d,%d", c.at, r, g, b, c.r, c.g, c.b)
		}
	}
	p := serverAgrees(t, s.URL, id, "the project after the render", agreed)
	if rs := p["renders"].([]any); len(rs) != 1 || field(rs[0], "state") != "done" || field(rs[0], "frames_total") != 60.0 {
		t.Fatalf("renders of the project: %v", rs)
	}
}
