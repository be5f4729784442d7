package fetch

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/testutil"
)

// localYTDLP is a runner allowed on localhost with loopback allowed: what an operator's test
// configuration does (links.allowed_hosts += localhost, links.allow_networks = 127.0.0.0/8).
func localYTDLP(t *testing.T) *YTDLP {
	t.Helper()
	testutil.Need(t, "yt-dlp", "ffprobe")
	p, err := NewPolicy(append([]string{"localhost"}, DefaultHosts...), []string{"127.0.0.0/8", "::1/128"})
	if err != nil {
		t.Fatal(err)
	}
	ff := ffmpeg.New("", "", zap.NewNop())
	return &YTDLP{Path: "yt-dlp", Policy: p, MaxBytes: 1 << 20, MaxSeconds: 60, Timeout: time.Minute,
		TempDir: t.TempDir(), Log: zaptest.NewLogger(t),
		Probe: func(ctx context.Context, path string) (float64, error) {
			pr, err := ff.ProbeFile(ctx, path, 20*time.Second, false)
			if err != nil {
				return 0, err
			}
			return pr.Duration(), nil
		}}
}

func TestYTDLPFetchesDirectMedia(t *testing.T) {
	y := localYTDLP(t)
	base, song := mediaServer(t, nil)
	var last atomic.Value
	tr, err := y.Fetch(context.Background(), base+"/song.m4a", func(p float64) { last.Store(p) })
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	defer tr.Remove()
	if tr.Size != int64(len(song)) || tr.Title != "song" {
		t.Errorf("track = %+v, want %d bytes titled song", tr, len(song))
	}
	if tr.Duration < 2.9 || tr.Duration > 3.2 {
		t.Errorf("duration = %.2f, want about 3", tr.Duration)
	}
	if p := testutil.Probe(t, tr.Path); p.Audio() == nil {
		t.Error("the download has no audio stream")
	}
	if p, _ := last.Load().(float64); p != 100 {
		t.Errorf("last progress = %v, want 100", p)
	}
	dir := filepath.Dir(tr.Path)
	tr.Remove()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("scratch dir left behind: %v", err)
	}
}

// Refused links never start yt-dlp: a stand-in binary would leave a mark if it ran.
func TestYTDLPRefusesBeforeRunning(t *testing.T) {
	dir := t.TempDir()
	mark := filepath.Join(dir, "ran")
	bin := filepath.Join(dir, "yt-dlp")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\ntouch "+mark+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	p, _ := NewPolicy(DefaultHosts, nil)
	y := &YTDLP{Path: bin, Policy: p, TempDir: dir, Lookup: func(ctx context.Context, host string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("10.0.0.7")}, nil
	}}
	for _, c := range []struct{ url, want string }{
		{"https://youtube.com.evil.example/watch?v=x", "not accepted"},
		{"http://127.0.0.1/", "IP address"},
		{"file:///etc/passwd", "only http and https"},
		{"--exec=touch " + mark, "'-'"},
		{"-https://youtu.be/x", "'-'"},
		{"https://www.youtube.com/watch?v=x", "private or local"}, // the test's DNS says 10.0.0.7
	} {
		_, err := y.Fetch(context.Background(), c.url, nil)
		if !simvid.IsCode(err, simvid.EUnprocessable) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want refused mentioning %q", c.url, err, c.want)
		}
	}
	if _, err := os.Stat(mark); err == nil {
		t.Fatal("yt-dlp ran for a refused link")
	}
}

func TestYTDLPLimits(t *testing.T) {
	y := localYTDLP(t)
	long := testutil.Tone(t, t.TempDir(), "long.m4a", 8)
	base, song := mediaServer(t, func(mux *http.ServeMux) {
		mux.HandleFunc("/long.m4a", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, long) })
	})

	y.MaxBytes = int64(len(song)) - 100
	_, err := y.Fetch(context.Background(), base+"/song.m4a", nil)
	if !simvid.IsCode(err, simvid.ETooLarge) || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversize: err = %v, want too large", err)
	}

	y.MaxBytes, y.MaxSeconds = 1<<20, 5
	_, err = y.Fetch(context.Background(), base+"/long.m4a", nil)
	if !simvid.IsCode(err, simvid.ETooLarge) || !strings.Contains(err.Error(), "the limit is 0:05") {
		t.Errorf("overlong: err = %v, want too long", err)
	}

	_, err = y.Fetch(context.Background(), base+"/missing.m4a", nil)
	if !simvid.IsCode(err, simvid.EUnprocessable) || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing: err = %v, want unprocessable 404", err)
	}

	noLoop := *y
	noLoop.Policy.Allow = nil
	_, err = noLoop.Fetch(context.Background(), base+"/song.m4a", nil)
	if !simvid.IsCode(err, simvid.EUnprocessable) || !strings.Contains(err.Error(), "private or local") {
		t.Errorf("loopback without allow: err = %v, want refused", err)
	}
}

// A server that never answers: yt-dlp is killed with its process group at the deadline.
func TestYTDLPHangKilledAtDeadline(t *testing.T) {
	y := localYTDLP(t)
	y.Timeout = 3 * time.Second
	release := make(chan struct{})
	base, _ := mediaServer(t, func(mux *http.ServeMux) {
		mux.HandleFunc("/hang-7f3e.m4a", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		})
	})
	defer close(release)
	start := time.Now()
	_, err := y.Fetch(context.Background(), base+"/hang-7f3e.m4a", nil)
	took := time.Since(start)
	if !simvid.IsCode(err, simvid.EUnavailable) || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("err = %v, want a retryable deadline error", err)
	}
	if took < 3*time.Second || took > 7*time.Second {
		t.Fatalf("returned after %s, want about the 3s deadline", took)
	}
	if pids := processesWith("hang-7f3e"); len(pids) > 0 {
		t.Fatalf("yt-dlp still running after its deadline: %v", pids)
	}
}

// The arguments: no user configuration, one video, the caps, YouTube's own extractors only,
// and "--" right before the link so that nothing in it is read as an option.
func TestYTDLPArguments(t *testing.T) {
	dir := t.TempDir()
	argsFile := dir + "/args"
	bin := dir + "/yt-dlp"
	if err := os.WriteFile(bin, []byte("#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > "+argsFile+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	p, _ := NewPolicy(DefaultHosts, nil)
	y := &YTDLP{Path: bin, Policy: p, TempDir: dir, MaxBytes: 1000, MaxSeconds: 60,
		Lookup: func(ctx context.Context, host string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr("142.250.74.46")}, nil
		}}
	_, err := y.Fetch(context.Background(), "https://www.youtube.com/watch?v=x&list=y", nil)
	if !simvid.IsCode(err, simvid.EUnprocessable) || !strings.Contains(err.Error(), "no sound") {
		t.Fatalf("err = %v", err)
	}
	b, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Split(strings.TrimSpace(string(b)), "\n")
	got := strings.Join(args, " ")
	for _, want := range []string{"--ignore-config", "--no-playlist", "--max-filesize 1000", "--use-extractors default,-generic",
		"--match-filter !is_live & duration <=? 60"} {
		if !strings.Contains(got, want) {
			t.Errorf("arguments lack %q: %s", want, got)
		}
	}
	if n := len(args); n < 2 || args[n-2] != "--" || args[n-1] != "https://www.youtube.com/watch?v=x&list=y" {
		t.Errorf("the link is not last after --: %q", args)
	}
}

func TestYTDLPNotInstalled(t *testing.T) {
	p, _ := NewPolicy(DefaultHosts, nil)
	y := &YTDLP{Path: "/nonexistent/yt-dlp", Policy: p}
	if _, err := y.Fetch(context.Background(), "https://youtu.be/x", nil); !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("err = %v, want ErrNotInstalled", err)
	}
	if _, err := y.Version(context.Background()); !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("version err = %v", err)
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct{ out, code, want string }{
		{"ERROR: [youtube] dQw4w9WgXcQ: Video unavailable", simvid.EUnprocessable, "Video unavailable"},
		{"ERROR: [youtube] abc: Private video. Sign in if you've been granted access", simvid.EUnprocessable, "Private video"},
		{"ERROR: [generic] None: Unable to download webpage: HTTP Error 503: Service Unavailable (caused by <HTTPError 503>)", simvid.EUnavailable, "HTTP Error 503"},
		{"ERROR: [youtube] x: Unable to download API page: <urlopen error [Errno -3] Temporary failure in name resolution>", simvid.EUnavailable, "reached"},
		{"ERROR: Unsupported URL: https://www.youtube.com/about; please report this issue on https://github.com", simvid.EUnprocessable, "Unsupported URL"},
		{"", simvid.EUnprocessable, "did not lead to any sound"},
	} {
		err := classify(c.out)
		if !simvid.IsCode(err, c.code) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "report") {
			t.Errorf("classify(%q) = %v, want %s with %q", c.out, err, c.code, c.want)
		}
	}
}

// processesWith lists the pids whose command line contains s.
func processesWith(s string) []string {
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), s) {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

// yt-dlp runs at the configured niceness, every thread of it: looked at while it waits for
// the server's answer.
func TestYTDLPRunsNiced(t *testing.T) {
	y := localYTDLP(t)
	y.Nice = 7
	var mu sync.Mutex
	seen := map[string]int{} // "pid/tid" -> niceness
	var lookErr error
	var body []byte // the song, set before yt-dlp starts (under mu: the server may be asked before)
	base, song := mediaServer(t, func(mux *http.ServeMux) {
		mux.HandleFunc("/nice-5d1c.m4a", func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			for _, p := range processesWith("nice-5d1c") {
				pid, _ := strconv.Atoi(p)
				nices, err := testutil.ThreadNices(pid)
				if err != nil {
					lookErr = err
				}
				for tid, n := range nices {
					seen[p+"/"+strconv.Itoa(tid)] = n
				}
			}
			b := body
			mu.Unlock()
			http.ServeContent(w, r, "song.m4a", time.Time{}, bytes.NewReader(b))
		})
	})
	mu.Lock()
	body = song
	mu.Unlock()
	tr, err := y.Fetch(context.Background(), base+"/nice-5d1c.m4a", nil)
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	tr.Remove()
	mu.Lock()
	defer mu.Unlock()
	t.Logf("yt-dlp threads seen while it waited, with their niceness: %v", seen)
	if lookErr != nil {
		t.Error(lookErr)
	}
	if len(seen) == 0 {
		t.Fatal("no yt-dlp process seen while the server held its request")
	}
	for id, n := range seen {
		if n != 7 {
			t.Errorf("yt-dlp thread %s runs at niceness %d, want 7", id, n)
		}
	}
}
