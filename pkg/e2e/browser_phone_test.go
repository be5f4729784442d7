package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// touchDrag presses a finger at (x0, y0), moves it to (x1, y1) in steps and lifts it.
func touchDrag(x0, y0, x1, y1 float64, steps int) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		touch := func(typ input.DispatchTouchEventType, pts ...*input.TouchPoint) error {
			if pts == nil {
				pts = []*input.TouchPoint{}
			}
			_, err := cdp.Call(ctx, t, input.DispatchTouchEvent, input.DispatchTouchEventParams{Type: typ, TouchPoints: pts})
			return err
		}
		if err := touch(input.DispatchTouchEventTypeTouchStart, &input.TouchPoint{X: x0, Y: y0}); err != nil {
			return err
		}
		for i := 1; i <= steps; i++ {
			f := float64(i) / float64(steps)
			if err := touch(input.DispatchTouchEventTypeTouchMove, &input.TouchPoint{X: x0 + (x1-x0)*f, Y: y0 + (y1-y0)*f}); err != nil {
				return err
			}
			time.Sleep(16 * time.Millisecond)
		}
		return touch(input.DispatchTouchEventTypeTouchEnd)
	})
}

// TestBrowserPhone runs the page as a 360x740 touch phone against the real `simvid all`:
// upload, reorder with a finger on a tile's handle, generate, progress to 100, play; the
// page never scrolls sideways.
func TestBrowserPhone(t *testing.T) {
	s := startAll(t, "")
	ctx := openPage(t, 360, 740)
	dir := t.TempDir()
	shots := shotDir(t)
	photos := pictures(t, dir, "red", "lime", "blue")
	const noSideways = `document.documentElement.scrollWidth <= 360`

	step(t, ctx, "open the page as a phone", 20*time.Second,
		chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait, chromedp.EmulateScale(2)),
		chromedp.Navigate(s.URL+"/"),
		until(`document.body.classList.contains('is-ready') && window.innerWidth === 360`, 10*time.Second),
		until(`matchMedia('(pointer: coarse)').matches`, time.Second),
		until(noSideways, time.Second))

	step(t, ctx, "upload photos", 30*time.Second,
		chromedp.SetUploadFiles(chromedp.CSS("#file-input"), photos),
		until(`document.querySelectorAll('.slide[data-slide-id]').length === 3 && document.querySelectorAll('.upload').length === 0`, 20*time.Second),
		until(names+` === 'red.jpg,lime.jpg,blue.jpg'`, 5*time.Second),
		until(`[...document.querySelectorAll('.slide img')].every(i => /\/thumbnail$/.test(i.getAttribute('src')) && i.complete && i.naturalWidth > 0)`, 10*time.Second),
		until(`getComputedStyle(document.querySelector('.slide-handle')).display !== 'none'`, time.Second),
		until(noSideways, time.Second))
	id := pageProject(t, ctx)
	shot(t, ctx, shots, "phone-photos.png")

	// A finger on the third tile's handle, dragged onto the left half of the first tile.
	step(t, ctx, "show the photos", 5*time.Second, center("#slides"))
	from := rect(t, ctx, "#slides > li:nth-child(3) .slide-handle")
	to := rect(t, ctx, "#slides > li:nth-child(1) .tile-media")
	step(t, ctx, "touch drag blue before red", 20*time.Second,
		touchDrag(from.X+from.W/2, from.Y+from.H/2, to.X+to.W/4, to.Y+to.H/2, 15),
		until(names+` === 'blue.jpg,red.jpg,lime.jpg'`, 5*time.Second))
	serverAgrees(t, s.URL, id, "the order dragged by touch", func(p map[string]any) bool {
		return slideField(p, "filename") == "blue.jpg,red.jpg,lime.jpg"
	})

	step(t, ctx, "settings", 10*time.Second, choose("#resolution", "640x480"), choose("#duration", "1"))
	serverAgrees(t, s.URL, id, "the settings", func(p map[string]any) bool {
		return field(p, "spec", "output", "resolution") == "640x480" && field(p, "spec", "defaults", "duration") == 1.0
	})
	generate(t, ctx, 60*time.Second)
	step(t, ctx, "result fits the phone", 5*time.Second, until(noSideways, time.Second),
		until(`document.querySelector('#result-video').getBoundingClientRect().width <= 360`, time.Second),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#video').scrollIntoView()`))
	shot(t, ctx, shots, "phone-done.png")
	if problem := playToEnd(t, ctx); problem != "" {
		t.Fatalf("playing the video: %s", problem)
	}
	checkVideo(t, downloadLink(t, ctx), 640, 480, 90, false)
	if p := getJSON(t, s.URL+"/api/v1/projects/"+id, http.StatusOK); len(p["renders"].([]any)) != 1 {
		t.Fatalf("renders: %v", p["renders"])
	}
}
