package fetch

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/testutil"
)

// mediaServer serves a real sound file at /song.m4a (and whatever extra routes add) on
// loopback; its URL uses the name localhost, since IP literals are refused.
func mediaServer(t *testing.T, extra func(mux *http.ServeMux)) (base string, song []byte) {
	t.Helper()
	path := testutil.Tone(t, t.TempDir(), "song.m4a", 3)
	song, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/song.m4a", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, path)
	})
	if extra != nil {
		extra(mux)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return strings.Replace(srv.URL, "127.0.0.1", "localhost", 1), song
}

func loopbackPolicy(t *testing.T) Policy {
	t.Helper()
	p, err := NewPolicy(nil, []string{"127.0.0.0/8", "::1/128"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDownloadRealFile(t *testing.T) {
	base, song := mediaServer(t, nil)
	c := NewClient(loopbackPolicy(t), 10*time.Second)
	dst := filepath.Join(t.TempDir(), "got")
	res, err := c.DownloadFile(context.Background(), base+"/song.m4a", dst, 1<<20)
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	got, _ := os.ReadFile(dst)
	if !bytes.Equal(got, song) || res.Size != int64(len(song)) || res.Name != "song.m4a" {
		t.Fatalf("got %d bytes (res %+v), want %d", len(got), res, len(song))
	}
	if p := testutil.Probe(t, dst); p.Audio() == nil {
		t.Fatal("the download has no audio stream")
	}
}

// Without an allowed range, loopback is refused at dial time even though the name is fine.
func TestDownloadRefusesLoopbackByDefault(t *testing.T) {
	var hits atomic.Int32
	base, _ := mediaServer(t, func(mux *http.ServeMux) {
		mux.HandleFunc("/count", func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	})
	c := NewClient(Policy{}, 5*time.Second)
	var buf bytes.Buffer
	_, err := c.Download(context.Background(), base+"/count", &buf, 1<<20)
	if !simvid.IsCode(err, simvid.EUnprocessable) || !strings.Contains(err.Error(), "private or local") {
		t.Fatalf("err = %v, want a refusal of a local address", err)
	}
	if hits.Load() != 0 {
		t.Fatal("the server was reached")
	}
}

// A redirect from an allowed address to a private one is refused before any connection: the
// name resolves (through the test's lookup) to 127.0.0.2, outside the allowed 127.0.0.1/32.
func TestDownloadRefusesRedirectToPrivate(t *testing.T) {
	var innerHits atomic.Int32
	inner := &httptest.Server{Listener: listen(t, "127.0.0.2:0"), Config: &http.Server{Handler: http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { innerHits.Add(1); _, _ = w.Write([]byte("secret")) })}}
	inner.Start()
	t.Cleanup(inner.Close)
	_, innerPort, _ := net.SplitHostPort(inner.Listener.Addr().String())
	base, _ := mediaServer(t, func(mux *http.ServeMux) {
		mux.HandleFunc("/jump", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://metadata.internal.test:"+innerPort+"/latest", http.StatusFound)
		})
	})
	p, _ := NewPolicy(nil, []string{"127.0.0.1/32"})
	lookup := func(ctx context.Context, host string) ([]netip.Addr, error) {
		if host == "metadata.internal.test" {
			return []netip.Addr{netip.MustParseAddr("127.0.0.2")}, nil
		}
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	c := NewClient(p, 5*time.Second, WithLookup(lookup))
	var buf bytes.Buffer
	_, err := c.Download(context.Background(), base+"/jump", &buf, 1<<20)
	if !simvid.IsCode(err, simvid.EUnprocessable) || !strings.Contains(err.Error(), "private or local") {
		t.Fatalf("err = %v, want a refusal of the redirect target", err)
	}
	if innerHits.Load() != 0 || buf.Len() != 0 {
		t.Fatal("the private server was reached")
	}
	// A redirect to an IP literal or another scheme is refused by the URL policy.
	for _, target := range []string{"http://127.0.0.1:" + innerPort + "/", "file:///etc/passwd"} {
		base2, _ := mediaServer(t, func(mux *http.ServeMux) {
			mux.HandleFunc("/jump", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, target, http.StatusFound) })
		})
		_, err := c.Download(context.Background(), base2+"/jump", &buf, 1<<20)
		if !simvid.IsCode(err, simvid.EUnprocessable) {
			t.Errorf("redirect to %s: err = %v, want refused", target, err)
		}
	}
}

// The dialer's Control refuses on its own, whatever the lookup said.
func TestControlRefusesNonPublic(t *testing.T) {
	c := NewClient(Policy{}, time.Second)
	for _, addr := range []string{"127.0.0.1:80", "[::1]:443", "169.254.169.254:80", "10.0.0.5:80", "100.100.100.200:80", "0.0.0.0:80"} {
		if err := c.control("tcp", addr, nil); err == nil {
			t.Errorf("control(%s) allowed", addr)
		}
	}
	if err := c.control("tcp", "8.8.8.8:443", nil); err != nil {
		t.Errorf("control(8.8.8.8) = %v", err)
	}
}

func TestDownloadRefusals(t *testing.T) {
	base, song := mediaServer(t, func(mux *http.ServeMux) {
		mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
			for range 64 {
				_, _ = w.Write(make([]byte, 1024))
				w.(http.Flusher).Flush()
			}
		})
		mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
		mux.HandleFunc("/busy", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	})
	c := NewClient(loopbackPolicy(t), 5*time.Second)
	for _, x := range []struct {
		url  string
		max  int64
		code string
		want string
	}{
		{base + "/song.m4a", int64(len(song)) - 1, simvid.ETooLarge, "larger than"},
		{base + "/chunked", 10 << 10, simvid.ETooLarge, "larger than"},
		{base + "/gone", 1 << 20, simvid.EUnprocessable, "nothing was found"},
		{base + "/busy", 1 << 20, simvid.EUnavailable, "503"},
		{"http://127.0.0.1/", 1 << 20, simvid.EUnprocessable, "IP address"},
		{"file:///etc/passwd", 1 << 20, simvid.EUnprocessable, "only http and https"},
		{"-" + base, 1 << 20, simvid.EUnprocessable, "'-'"},
	} {
		var buf bytes.Buffer
		_, err := c.Download(context.Background(), x.url, &buf, x.max)
		if !simvid.IsCode(err, x.code) || !strings.Contains(err.Error(), x.want) {
			t.Errorf("%s: err = %v, want %s mentioning %q", x.url, err, x.code, x.want)
		}
		if buf.Len() > int(x.max)+1 {
			t.Errorf("%s: %d bytes written past the %d cap", x.url, buf.Len(), x.max)
		}
	}
}

// A server that never answers is given up at the deadline, with a retryable error.
func TestDownloadHangKilledAtDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	base, _ := mediaServer(t, func(mux *http.ServeMux) {
		mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000000")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte("ID3"))
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-release:
			}
		})
	})
	c := NewClient(loopbackPolicy(t), 700*time.Millisecond)
	start := time.Now()
	var buf bytes.Buffer
	_, err := c.Download(context.Background(), base+"/hang", &buf, 1<<20)
	took := time.Since(start)
	if !simvid.IsCode(err, simvid.EUnavailable) || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("err = %v, want a retryable deadline error", err)
	}
	if took < 600*time.Millisecond || took > 3*time.Second {
		t.Fatalf("gave up after %s, want about the 700ms deadline", took)
	}
}

func listen(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	return ln
}

// fullDisk refuses every write past room bytes, as the media store's SpaceWriter does when
// the disk's reserve is reached.
type fullDisk struct {
	w    io.Writer
	room int
}

func (f *fullDisk) Write(p []byte) (int, error) {
	if len(p) > f.room {
		return 0, simvid.Errorf(simvid.EStorageFull, "the server is out of storage space; please try again later")
	}
	f.room -= len(p)
	return f.w.Write(p)
}

// A download stops when its write guard refuses, as the bytes arrive (a chunked answer too),
// with the guard's error, and leaves no file.
func TestDownloadStopsAtWriteGuard(t *testing.T) {
	base, _ := mediaServer(t, func(mux *http.ServeMux) {
		mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
			for range 64 {
				_, _ = w.Write(make([]byte, 1024))
				w.(http.Flusher).Flush()
			}
		})
	})
	c := NewClient(loopbackPolicy(t), 5*time.Second, WithWriteGuard(func(w io.Writer) io.Writer { return &fullDisk{w: w, room: 8 << 10} }))
	for _, u := range []string{base + "/song.m4a", base + "/chunked"} {
		dst := filepath.Join(t.TempDir(), "got")
		_, err := c.DownloadFile(context.Background(), u, dst, 1<<20)
		if !simvid.IsCode(err, simvid.EStorageFull) {
			t.Fatalf("%s: err = %v, want insufficient_storage", u, err)
		}
		if _, err := os.Stat(dst); !os.IsNotExist(err) {
			t.Fatalf("%s: the partial download stayed: %v", u, err)
		}
	}
}
