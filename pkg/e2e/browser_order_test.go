package e2e

import (
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/simvid/simvid/pkg/testutil"
)

// TestBrowserSortByDateTaken: photos taken in two time zones and one without a date, added
// in the wrong order; each tile shows when its photo was taken as the photo's own clock
// showed it, and "Sort by date taken" puts them in the order they were taken (by instant),
// the undated one last, on the page and on the server.
func TestBrowserSortByDateTaken(t *testing.T) {
	testutil.Need(t, "exiftool")
	s := startAll(t, "")
	ctx := openPage(t, 1280, 900)
	photos := pictures(t, t.TempDir(), "lime", "blue", "red") // undated, New York, Tokyo
	if b, err := exec.Command("exiftool", "-q", "-overwrite_original",
		"-DateTimeOriginal=2025:06:14 07:00:00", "-OffsetTimeOriginal=-04:00", photos[1], "-execute", "-q", "-overwrite_original",
		"-DateTimeOriginal=2025:06:14 16:00:00", "-OffsetTimeOriginal=+09:00", photos[2]).CombinedOutput(); err != nil {
		t.Fatalf("exiftool: %v\n%s", err, b)
	}
	dates := `[...document.querySelectorAll('.slide .tile-date')].map(e => e.hidden ? '-' : e.textContent).join('|')`
	step(t, ctx, "add the photos", 40*time.Second, chromedp.Navigate(s.URL+"/"),
		until(`document.body.classList.contains('is-ready') && document.querySelector('#sort-taken').hidden`, 10*time.Second),
		chromedp.SetUploadFiles(chromedp.CSS("#file-input"), photos),
		until(`document.querySelectorAll('.slide[data-slide-id]').length === 3 && document.querySelectorAll('.upload').length === 0`, 30*time.Second),
		until(names+` === 'lime.jpg,blue.jpg,red.jpg' && !document.querySelector('#sort-taken').hidden
			&& !document.querySelector('#sort-taken').disabled`, 5*time.Second))
	if got, want := eval[string](t, ctx, dates), "-|Sat, 14 Jun 2025, 07:00|Sat, 14 Jun 2025, 16:00"; got != want {
		t.Errorf("dates under the tiles %q, want %q", got, want)
	}
	id := pageProject(t, ctx)
	step(t, ctx, "sort by date taken", 10*time.Second, chromedp.Click(chromedp.CSS("#sort-taken")),
		until(names+` === 'red.jpg,blue.jpg,lime.jpg'`, 5*time.Second))
	serverAgrees(t, s.URL, id, "the sorted slides", func(p map[string]any) bool {
		return slideField(p, "filename") == "red.jpg,blue.jpg,lime.jpg" &&
			slideField(p, "taken_at") == "2025-06-14T16:00:00+09:00,2025-06-14T07:00:00-04:00,"
	})
}
