package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/simvid/simvid/pkg/testutil"
)

// openPage starts a fresh headless Chromium at the given window size (testutil.OpenBrowser).
func openPage(t *testing.T, width, height int) context.Context {
	t.Helper()
	return testutil.OpenBrowser(t, width, height)
}

// step runs browser actions with a time limit, failing the test with the step's name.
func step(t *testing.T, ctx context.Context, name string, limit time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	testutil.BrowserStep(t, ctx, name, limit, actions...)
}

// until polls a JavaScript expression until it is true (every 50 ms, up to limit).
func until(expr string, limit time.Duration) chromedp.Action[chromedp.Void] {
	return testutil.Until(expr, limit)
}

// eval evaluates a JavaScript expression (awaiting a promise) and decodes its value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	return testutil.Eval[T](t, ctx, expr)
}

// choose sets a control's value and fires input and change, as a person choosing would.
func choose(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = %q;
		el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); })()`, sel, value))
}

// recordProgress keeps every value #progress's aria-valuenow takes in window.__progress.
const recordProgress = `(() => { window.__progress = []; const el = document.querySelector('#progress');
	new MutationObserver(() => window.__progress.push(Number(el.getAttribute('aria-valuenow'))))
		.observe(el, {attributes: true, attributeFilter: ['aria-valuenow']}); })()`

// names lists the file names on the photo tiles, in the order shown.
const names = `[...document.querySelectorAll('.slide .tile-name')].map(e => e.textContent).join()`

// shotDir is where screenshots go: $SIMVID_SCREENSHOT_DIR, or a folder of the test.
func shotDir(t *testing.T) string {
	if d := os.Getenv("SIMVID_SCREENSHOT_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// shot writes a screenshot of the whole page to dir/name.
func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}

// pictures writes small coloured pictures named after their colours (red.jpg, ...).
func pictures(t *testing.T, dir string, colors ...string) []string {
	t.Helper()
	var out []string
	for _, c := range colors {
		out = append(out, testutil.Image(t, dir, c+".jpg", 320, 240, c))
	}
	return out
}

// pageProject returns the id of the project the page shows (its ?p= parameter).
func pageProject(t *testing.T, ctx context.Context) string {
	t.Helper()
	id := eval[string](t, ctx, `new URLSearchParams(location.search).get('p') || ''`)
	if !strings.HasPrefix(id, "prj_") {
		t.Fatalf("the page names no project: %q", id)
	}
	return id
}

// playToEnd plays #result-video at 16x, muted, and returns "" once it ended cleanly, or
// what went wrong.
func playToEnd(t *testing.T, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `new Promise((resolve) => {
		const v = document.querySelector('#result-video');
		const bad = () => resolve('media error ' + (v.error ? v.error.code + ' ' + v.error.message : '?'));
		if (v.error) return bad();
		v.addEventListener('error', bad, {once: true});
		v.addEventListener('ended', () => resolve(v.error !== null ? 'error after end' :
			(v.currentTime < v.duration - 0.1 ? 'ended at ' + v.currentTime + ' of ' + v.duration : '')), {once: true});
		v.muted = true;
		v.playbackRate = 16;
		v.play().catch((e) => resolve('play() refused: ' + e));
		setTimeout(() => resolve('not ended after 20 s, at ' + v.currentTime + ' of ' + v.duration), 20000);
	})`)
}
