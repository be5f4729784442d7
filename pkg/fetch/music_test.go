package fetch

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

func TestMusicCheckRoutes(t *testing.T) {
	yt, _ := NewPolicy(DefaultHosts, nil)
	off := &Links{YTDLP: &YTDLP{Path: "/nonexistent/yt-dlp", Policy: yt}}
	if _, err := off.Check("https://youtu.be/x"); !simvid.IsCode(err, simvid.EUnavailable) || !errors.Is(err, ErrNotInstalled) ||
		!strings.HasSuffix(simvid.ErrorMessage(err), "upload a file instead") {
		t.Errorf("yt-dlp missing: %v", err)
	}
	if _, err := off.Check("https://cdn.example.org/song.mp3"); !simvid.IsCode(err, simvid.EUnprocessable) ||
		!strings.Contains(err.Error(), "cdn.example.org are not accepted") {
		t.Errorf("direct link while direct media is off: %v", err)
	}
	on := &Links{YTDLP: &YTDLP{Path: "/nonexistent/yt-dlp", Policy: yt}, Direct: NewClient(Policy{}, time.Second)}
	if _, err := on.Check("https://cdn.example.org/song.mp3"); err != nil {
		t.Errorf("direct link while direct media is on: %v", err)
	}
	for _, bad := range []string{"http://127.0.0.1/a.mp3", "file:///etc/passwd", "-https://x.example/a.mp3", "https://u:p@x.example/a.mp3"} {
		if _, err := on.Check(bad); !simvid.IsCode(err, simvid.EUnprocessable) {
			t.Errorf("%s: %v, want refused", bad, err)
		}
	}
}

// Direct media links go through the Client (a local server, loopback allowed), under the
// same caps as yt-dlp's downloads.
func TestMusicDirect(t *testing.T) {
	base, song := mediaServer(t, nil)
	y := localYTDLP(t)
	y.Policy.Hosts = DefaultHosts // localhost is not a yt-dlp host here
	m := &Links{YTDLP: y, Direct: NewClient(loopbackPolicy(t), 10*time.Second)}
	tr, err := m.Fetch(context.Background(), base+"/song.m4a", nil)
	if err != nil {
		t.Fatalf("direct fetch: %v", err)
	}
	defer tr.Remove()
	b, _ := os.ReadFile(tr.Path)
	if len(b) != len(song) || tr.Title != "song" || tr.Duration < 2.9 {
		t.Errorf("track %+v", tr)
	}
	y.MaxSeconds = 2
	_, err = m.Fetch(context.Background(), base+"/song.m4a", nil)
	if !simvid.IsCode(err, simvid.ETooLarge) || !Final(err) {
		t.Errorf("overlong direct link: %v", err)
	}
	if Final(simvid.Errorf(simvid.EUnavailable, "x")) || !Final(ErrNotInstalled) {
		t.Error("Final misclassifies")
	}
}
