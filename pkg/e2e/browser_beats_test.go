package e2e

import (
	"math"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/simvid/simvid/pkg/testutil"
)

// TestBrowserBeatSync: music uploaded through the page (a 120 BPM click track, the first
// click at 0.25 s) comes back with its beats, drawn as ticks under the waveform; "Change
// photos on the beat" turns beat_sync on in the project; a quick preview made from the page
// ends on a beat and says nothing of falling back.
func TestBrowserBeatSync(t *testing.T) {
	s := startAll(t, "")
	ctx := openPage(t, 1280, 900)
	dir := t.TempDir()
	photos := pictures(t, dir, "red", "blue", "green")
	song := testutil.WriteSong(t, dir, testutil.ClickTrack("clicks", 120, 0.25, 10))

	step(t, ctx, "open the page and add photos and music", 40*time.Second, chromedp.Navigate(s.URL+"/"),
		until(`document.body.classList.contains('is-ready')`, 10*time.Second),
		chromedp.SetUploadFiles(chromedp.CSS("#file-input"), photos),
		until(`document.querySelectorAll('.slide[data-slide-id]').length === 3 && document.querySelectorAll('.upload').length === 0`, 20*time.Second),
		chromedp.SetUploadFiles(chromedp.CSS("#music-input"), []string{song}),
		until(`!document.querySelector('#music-info').hidden && document.querySelector('#music-state').hidden && !document.querySelector('#waveform').hidden`, 30*time.Second))
	id := pageProject(t, ctx)

	// Ticks: runs of the beat colour along the bottom row of the canvas, one per beat.
	ticks := eval[int](t, ctx, `(() => { const c = document.querySelector('#waveform'), g = c.getContext('2d');
		const d = g.getImageData(0, c.height - 2, c.width, 1).data; let n = 0, was = false;
		for (let x = 0; x < c.width; x++) { const r = d[4*x], gg = d[4*x+1], b = d[4*x+2];
			const is = r > 150 && r > gg + 60 && r > b + 60; if (is && !was) n++; was = is; }
		return n; })()`)
	if ticks < 17 || ticks > 21 {
		t.Errorf("%d beat ticks under the waveform, want the 20 clicks of the track", ticks)
	}

	step(t, ctx, "change photos on the beat", 10*time.Second, center("#beat-sync"),
		chromedp.Click(chromedp.CSS("#beat-sync")))
	p := serverAgrees(t, s.URL, id, "beat_sync on", func(p map[string]any) bool { return field(p, "spec", "beat_sync") == true })
	if tempo, _ := field(p, "music", "beats", "tempo").(float64); math.Abs(tempo-120) > 1 {
		t.Fatalf("the music's tempo is %v, want 120", field(p, "music", "beats"))
	}

	step(t, ctx, "a quick preview", 150*time.Second, center("#preview"),
		chromedp.Click(chromedp.CSS("#preview")),
		until(`!document.querySelector('#result').hidden || !document.querySelector('#render-failed').hidden`, 140*time.Second))
	if failed := eval[string](t, ctx, `document.querySelector('#render-failed').hidden ? '' : document.querySelector('#render-error').textContent`); failed != "" {
		t.Fatalf("the page shows a failed render: %s", failed)
	}
	r := getJSON(t, s.URL+"/api/v1/projects/"+id, 200)["renders"].([]any)[0].(map[string]any)
	end := r["frames_total"].(float64) / 30
	beats := (end - 0.25) / 0.5
	if w, _ := r["warnings"].([]any); len(w) != 0 || math.Abs(beats-math.Round(beats))*0.5 > 1.0/30 {
		t.Fatalf("the preview lasts %.3f s (%.2f beats after the first), warnings %v", end, beats, r["warnings"])
	}
}
