package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/simvid/simvid/pkg/testutil"
)

// TestBrowserClip adds a photo and a 4 s phone clip on the page of a real server: the clip's
// tile shows a play badge with its length over its poster and its filmstrip; the badge (or
// hovering) plays the clip; dragging the handles (their values, as a drag sets them) trims it, and the
// server's slide has the in and out points; Generate makes the video of both, with the clip's
// sound.
func TestBrowserClip(t *testing.T) {
	s := startAll(t, "")
	ctx := openPage(t, 1280, 900)
	dir := t.TempDir()
	photo := pictures(t, dir, "red")[0]
	clip := filepath.Join(dir, "walk.mp4")
	if b, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc=s=320x180:r=30:d=4", "-f", "lavfi", "-i", "sine=d=4",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", clip).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, b)
	}

	step(t, ctx, "upload a photo and a clip", 40*time.Second, chromedp.Navigate(s.URL+"/"),
		until(`document.body.classList.contains('is-ready')`, 10*time.Second),
		chromedp.SetUploadFiles(chromedp.CSS("#file-input"), []string{photo, clip}),
		until(`document.querySelectorAll('.slide[data-slide-id]').length === 2`, 30*time.Second),
		until(names+` === 'red.jpg,walk.mp4'`, 5*time.Second),
		until(`document.querySelectorAll('[data-testid=clip-badge]').length === 1`, 5*time.Second),
		until(`document.querySelector('.slide.is-clip .clip-length').textContent === '0:04'`, 5*time.Second),
		until(`[...document.querySelectorAll('.slide img')].every(i => i.complete && i.naturalWidth > 0)`, 10*time.Second),
		until(`document.querySelector('.slide.is-clip .clip-times').textContent === 'The whole clip, 0:04'`, 5*time.Second))

	// The filmstrip behind the handles is served, and is a picture.
	strip := eval[string](t, ctx, `getComputedStyle(document.querySelector('.clip-strip')).backgroundImage`)
	if ok := eval[bool](t, ctx, `(async () => { const u = document.querySelector('.clip-strip').style.backgroundImage.slice(5, -2);
		const r = await fetch(u); return r.ok && r.headers.get('content-type') === 'image/jpeg'; })()`); !ok {
		t.Errorf("the filmstrip %s is not served as a JPEG", strip)
	}

	step(t, ctx, "the badge plays a preview, and stops it", 20*time.Second,
		chromedp.Click(chromedp.CSS(".slide.is-clip .clip-badge")),
		until(`(() => { const v = document.querySelector('[data-testid=clip-preview]'); return v && v.readyState >= 2 && v.muted; })()`, 15*time.Second),
		chromedp.Click(chromedp.CSS(".slide.is-clip .clip-badge")),
		until(`document.querySelector('[data-testid=clip-preview]') === null`, 5*time.Second))

	step(t, ctx, "trim with the handles", 20*time.Second,
		choose(".slide.is-clip .clip-in", "1"), choose(".slide.is-clip .clip-out", "3.5"),
		until(`document.querySelector('.slide.is-clip .clip-times').textContent === '0:01 to 0:03.5 of 0:04'`, 5*time.Second),
		until(`document.querySelector('.slide.is-clip .clip-length').textContent === '0:03'`, 5*time.Second),
		// The clip's slide lasts its part unless given seconds.
		until(`document.querySelector('.slide.is-clip .slide-duration').placeholder === '2.5'`, 5*time.Second),
		// The out handle cannot go before the in handle.
		choose(".slide.is-clip .clip-out", "0.5"),
		until(`Number(document.querySelector('.slide.is-clip .clip-out').value) >= 1.2`, 5*time.Second))

	pid := pageProject(t, ctx)
	var p struct {
		Slides []struct {
			Kind string  `json:"kind"`
			In   float64 `json:"in"`
			Out  float64 `json:"out"`
		} `json:"slides"`
	}
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		getInto(t, s.URL+"/api/v1/projects/"+pid, &p)
		if len(p.Slides) == 2 && p.Slides[1].Kind == "clip" && p.Slides[1].In == 1 && p.Slides[1].Out == 1.2 {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("the server's slides: %+v; want the clip trimmed to 1..1.2 s", p.Slides)
		}
	}

	// Generate: the photo's 3 s, then the clip's part (0.2 s), with the clip's sound.
	generate(t, ctx, 90*time.Second)
	video := downloadLink(t, ctx)
	probe := testutil.Probe(t, video)
	if d := probe.Duration(); d < 3.1 || d > 3.3 {
		t.Errorf("the video lasts %.2f s; want 3.2 (3 s of photo, 0.2 s of clip)", d)
	}
	if probe.Audio() == nil {
		t.Error("the video has no sound: the clip's is missing")
	}
	if e := testutil.DecodeErrors(t, video); e != "" {
		t.Errorf("decode errors: %s", e)
	}
}

// getInto decodes the JSON at url into v.
func getInto(t *testing.T, url string, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
