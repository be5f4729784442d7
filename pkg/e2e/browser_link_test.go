package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/simvid/simvid/pkg/testutil"
)

// TestBrowserMusicLink pastes a link with a start time into the page of the real binary: the
// page shows the fetch (state and progress bar) while the audio queue's yt-dlp fetches it
// from a local server (slow to answer on purpose), then the music like an uploaded file:
// title, length, waveform and the start time. A refused link shows the server's reason.
func TestBrowserMusicLink(t *testing.T) {
	testutil.Need(t, "yt-dlp")
	song := testutil.Tone(t, t.TempDir(), "song.m4a", 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/song.m4a" {
			http.NotFound(w, r)
			return
		}
		time.Sleep(1500 * time.Millisecond) // long enough for the page to show the fetch
		http.ServeFile(w, r, song)
	}))
	t.Cleanup(srv.Close)
	link := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/song.m4a"
	s := startAll(t, "", "SIMVID_LINKS_ALLOWED_HOSTS=youtube.com,youtu.be,localhost",
		"SIMVID_LINKS_ALLOW_NETWORKS=127.0.0.0/8,::1/128")
	ctx := openPage(t, 1280, 900)

	step(t, ctx, "paste a link", 20*time.Second, chromedp.Navigate(s.URL+"/"),
		until(`document.body.classList.contains('is-ready') && !document.querySelector('#music-link').hidden`, 10*time.Second),
		choose("#music-link-url", link), choose("#music-link-start", "0:01"),
		chromedp.Click(chromedp.CSS("#music-link-add")),
		until(`document.querySelector('#music-state').textContent.startsWith('Fetching the music from the link')
			&& !document.querySelector('#music-fetch').hidden`, 10*time.Second))
	step(t, ctx, "the fetched music", 60*time.Second,
		until(`document.querySelector('#music-name').textContent === 'song' && !document.querySelector('#music-range').hidden
			&& !document.querySelector('#waveform').hidden && document.querySelector('#music-fetch').hidden`, 60*time.Second))
	got := eval[struct{ Length, Start, Pick, URL string }](t, ctx, `({Length: document.querySelector('#music-length').textContent,
		Start: document.querySelector('#music-start').value, Pick: document.querySelector('#music-pick-label').textContent,
		URL: document.querySelector('#music-link-url').value})`)
	if got.Length != "(0:04)" || got.Start != "0:01" || got.Pick != "Replace music" || got.URL != "" {
		t.Errorf("music card after the fetch: %+v", got)
	}
	shot(t, ctx, shotDir(t), "desktop-music-link.png")
	id := pageProject(t, ctx)
	serverAgrees(t, s.URL, id, "the fetched music", func(p map[string]any) bool {
		m, _ := p["music"].(map[string]any)
		return m != nil && m["state"] == "ready" && m["filename"] == "song" && m["start"] == 1.0 && m["source_url"] == link
	})

	step(t, ctx, "a refused link", 10*time.Second,
		choose("#music-link-url", "https://youtube.com.evil.example/watch?v=x"),
		chromedp.Click(chromedp.CSS("#music-link-add")),
		until(`document.querySelector('#error').textContent.includes('youtube.com.evil.example are not accepted')`, 5*time.Second),
		until(`document.querySelector('#music-name').textContent === 'song'`, time.Second))
}
