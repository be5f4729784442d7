package security

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
	"github.com/simvid/simvid/pkg/testutil"
)

// probeProjectLimit: with a project limit of 2 pictures, one request of 30 pictures takes 2
// and refuses 28, each with a reason, and runs the ffmpeg of 2 pictures, not 30: the 28 are
// refused before they are decoded. The limited server runs a counting ffmpeg.
func probeProjectLimit(t *testing.T, s *server) {
	if s.ffmpegRuns == nil {
		t.Fatal("the server was started without a counting ffmpeg")
	}
	pic := jpegOf(t, 800, 600, true)
	named := func(i int) []byte { // a comment segment makes every copy a different file
		return append(append(append([]byte{}, pic[:2]...), 0xFF, 0xFE, 0, 6, 'n', byte('0'+i/10), byte('0'+i%10), ' '), pic[2:]...)
	}
	var files []file
	for i := range 30 {
		files = append(files, file{"images", fmt.Sprintf("p%02d.jpg", i), named(i)})
	}
	two := newProject(t, s)
	before := s.ffmpegRuns()
	if a := upload(t, s.URL+"/api/v1/projects/"+two+"/images", files[:2]); a.Status != http.StatusOK {
		t.Fatalf("two pictures: %s", a)
	}
	ref := s.ffmpegRuns() - before
	if ref == 0 {
		t.Fatal("the counting ffmpeg was not used")
	}
	pid := newProject(t, s)
	before = s.ffmpegRuns()
	a := upload(t, s.URL+"/api/v1/projects/"+pid+"/images", files)
	spent := s.ffmpegRuns() - before
	results, _ := a.JSON()["results"].([]any)
	ok, reasons := 0, 0
	for _, r := range results {
		m, _ := r.(map[string]any)
		if m["ok"] == true {
			ok++
		} else if e, _ := m["error"].(map[string]any); e["message"] != nil && e["message"] != "" {
			reasons++
		}
	}
	if ok != 2 || reasons != 28 {
		t.Errorf("30 pictures into a project of at most 2: %d taken, %d refused with a reason (want 2 and 28): %s", ok, reasons, a)
	}
	t.Logf("ffmpeg runs: %d for a request of 2 pictures, %d for the request of 30", ref, spent)
	if spent > ref {
		t.Errorf("%d ffmpeg runs for 30 pictures against %d for 2: the refused ones were decoded too", spent, ref)
	}
}

// hangingMusic serves a music link that never answers: a render of a project with it waits
// in preparing, unfinished, for as long as a probe needs.
func hangingMusic(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return fmt.Sprintf("http://localhost:%d/song.mp3", l.Addr().(*net.TCPAddr).Port)
}

// waitingProject is a project with a picture and music that never arrives.
func waitingProject(t *testing.T, s *server, music string) string {
	pid, _ := projectWithPicture(t, s, "a.jpg")
	if a := call(t, http.MethodPost, s.URL+"/api/v1/projects/"+pid+"/music/link", map[string]any{"url": music}); a.Status != http.StatusAccepted {
		t.Fatalf("music link: %s", a)
	}
	return pid
}

// from is an HTTP client whose connections come from another loopback address.
// attacker is the address the socket-holding probes come from: not 127.0.0.1, which the
// limited server trusts as a proxy (and a trusted proxy's connections are not capped).
const attacker = "127.0.0.3"

// dialFrom opens a TCP connection to host from the local address ip.
func dialFrom(ip, host string) (net.Conn, error) {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 2 * time.Second}
	return d.Dial("tcp", host)
}

func from(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

// fast checks that another address gets /healthz, the page and the API in under a second.
func fast(t *testing.T, s *server, c *http.Client, when string) {
	t.Helper()
	for _, path := range []string{"/healthz", "/", "/api/v1/capabilities"} {
		began := time.Now()
		res, err := c.Get(s.URL + path)
		took := time.Since(began)
		if err != nil {
			t.Errorf("%s: another address: GET %s: %v (after %s)", when, path, err, took)
			continue
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || took > time.Second {
			t.Errorf("%s: another address: GET %s: %d in %s, want 200 in < 1 s", when, path, res.StatusCode, took)
		}
	}
}

// probeSSECap opens 150 progress streams of an unfinished render from one address: some
// must be refused (429), and a stream from another address must still open.
func probeSSECap(t *testing.T, s *server) {
	pid := waitingProject(t, s, hangingMusic(t))
	r := call(t, http.MethodPost, s.URL+"/api/v1/projects/"+pid+"/renders", nil)
	id, _ := r.JSON()["id"].(string)
	if r.Status != http.StatusAccepted {
		t.Fatalf("render: %s", r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr := &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: 200}
	defer tr.CloseIdleConnections()
	open := func(c *http.Client) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/api/v1/renders/"+id+"/events", nil)
		res, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		if res.StatusCode != http.StatusOK {
			res.Body.Close()
		}
		return res.StatusCode, nil // an open stream's body stays open until ctx ends
	}
	var opened, refused, other atomic.Int32
	var wg sync.WaitGroup
	for range 150 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, err := open(&http.Client{Transport: tr})
			switch {
			case err != nil:
				other.Add(1)
			case code == http.StatusOK:
				opened.Add(1)
			case code == http.StatusTooManyRequests:
				refused.Add(1)
			default:
				other.Add(1)
			}
		}()
	}
	wg.Wait()
	t.Logf("150 streams from one address: %d open, %d refused 429, %d other", opened.Load(), refused.Load(), other.Load())
	if refused.Load() == 0 || opened.Load() >= 150 {
		t.Errorf("150 streams from one address: %d open, %d refused: no cap", opened.Load(), refused.Load())
	}
	c := from("127.0.0.2")
	c.Timeout = 0
	if code, err := open(c); err != nil || code != http.StatusOK {
		t.Errorf("a stream from another address: %d %v, want 200", code, err)
	}
}

// probeIPv6Cap: renders from three addresses of one IPv6 /64 (told by a trusted proxy) count
// as one client: the third is refused while two are unfinished; another /64 is not.
func probeIPv6Cap(t *testing.T, s *server) {
	music := hangingMusic(t)
	ask := func(ip string) answer {
		pid := waitingProject(t, s, music)
		return call(t, http.MethodPost, s.URL+"/api/v1/projects/"+pid+"/renders", nil, "X-Forwarded-For", ip)
	}
	for i, ip := range []string{"2a02:1234:5678:9abc::1", "2a02:1234:5678:9abc::2"} {
		if a := ask(ip); a.Status != http.StatusAccepted {
			t.Fatalf("render %d from %s: %s", i+1, ip, a)
		}
	}
	if a := ask("2a02:1234:5678:9abc:ffff:1:2:3"); a.Status != http.StatusTooManyRequests {
		t.Errorf("a third render from the same /64: %s, want 429", a)
	}
	if a := ask("2a02:1234:5678:9abd::1"); a.Status != http.StatusAccepted {
		t.Errorf("a render from another /64: %s, want 202", a)
	}
}

// slowConn is a socket that sends a request with a large Content-Length and then dribbles
// its body; closed is when the server closed it.
type slowConn struct {
	net.Conn
	closedAt atomic.Int64
}

// dribble keeps sending one byte every period until the server closes the socket or the
// deadline passes; it records when the socket closed.
func (c *slowConn) dribble(began time.Time, period time.Duration, until time.Time) {
	buf := make([]byte, 4096)
	for time.Now().Before(until) {
		_ = c.SetReadDeadline(time.Now().Add(period))
		_, err := c.Read(buf)
		var ne net.Error
		if err != nil && !(errors.As(err, &ne) && ne.Timeout()) {
			c.closedAt.Store(int64(time.Since(began)))
			return
		}
		if err != nil { // quiet: one more byte
			_ = c.SetWriteDeadline(time.Now().Add(time.Second))
			if _, err := c.Write([]byte("a")); err != nil {
				c.closedAt.Store(int64(time.Since(began)))
				return
			}
		}
	}
}

// probeSlowBody: 200 sockets of one address send GET /healthz with Content-Length 100000 and
// then a byte every 5 s. Another address must stay fast meanwhile, and the server must close
// every one of them within 40 s.
func probeSlowBody(t *testing.T, s *server) {
	const n, deadline = 200, 40 * time.Second
	host := strings.TrimPrefix(s.URL, "http://")
	began := time.Now()
	var conns []*slowConn
	refusedAtOnce := 0
	for range n {
		c, err := dialFrom(attacker, host)
		if err != nil {
			refusedAtOnce++
			continue
		}
		if _, err := c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 100000\r\n\r\na")); err != nil {
			refusedAtOnce++
			c.Close()
			continue
		}
		conns = append(conns, &slowConn{Conn: c})
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() { defer wg.Done(); c.dribble(began, 5*time.Second, began.Add(deadline+5*time.Second)) }()
	}
	other := from("127.0.0.2")
	time.Sleep(2 * time.Second)
	fast(t, s, other, "while 200 slow bodies are held")
	wg.Wait()
	open, last := 0, time.Duration(0)
	for _, c := range conns {
		at := time.Duration(c.closedAt.Load())
		if at == 0 || at > deadline {
			open++
		}
		last = max(last, at)
	}
	t.Logf("%d refused at once, %d closed by the server, the last after %s; %d still open after %s", refusedAtOnce, len(conns)-open, last.Round(time.Second), open, deadline)
	if open > 0 {
		t.Errorf("%d of %d slow-body sockets were still open after %s", open, n, deadline)
	}
}

// probeConnCap: 300 connections of one address that send half a request line and wait. The
// server must not hold them all, and another address must still be served quickly.
func probeConnCap(t *testing.T, s *server) {
	const n = 300
	host := strings.TrimPrefix(s.URL, "http://")
	var conns []net.Conn
	failed := 0
	for range n {
		c, err := dialFrom(attacker, host)
		if err != nil {
			failed++
			continue
		}
		_, _ = c.Write([]byte("GET /healthz HTTP/1.1\r\n"))
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	fast(t, s, from("127.0.0.2"), "while 300 connections are held")
	time.Sleep(3 * time.Second)
	held := 0
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		var b [512]byte
		_, err := c.Read(b[:])
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			held++
		}
	}
	t.Logf("of %d connections from one address: %d failed to connect, %d held after 3 s", n, failed, held)
	if held >= n {
		t.Errorf("all %d connections of one address are held: no per-address cap", n)
	}
}

// lockedBuffer collects a process's output from its two streams.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// probeWeakPassword: simvid must refuse to start with an admin password a strength
// estimator calls weak, and say which setting is wrong.
func probeWeakPassword(t *testing.T, _ *server) {
	testutil.Need(t, "ffmpeg", "ffprobe")
	bin := testutil.SimvidBinary(t)
	for _, pw := range []string{"password1234", "aaaaaaaaaaaa"} {
		addr, err := bench.FreeAddr()
		if err != nil {
			t.Fatal(err)
		}
		var out lockedBuffer
		p, err := bench.StartProcess(bin, []string{"all", "--addr", addr, "--data-dir", t.TempDir(),
			"--metrics-addr", "127.0.0.1:0", "--log-level", "warn"}, []string{"SIMVID_ADMIN_PASSWORD=" + pw}, &out)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		ready := bench.WaitReady(ctx, "http://"+addr, p)
		cancel()
		if ready == nil {
			t.Errorf("simvid started with the admin password %q", pw)
			_ = p.Stop(3 * time.Second)
			continue
		}
		select {
		case <-p.Done():
		case <-time.After(5 * time.Second):
			_ = p.Stop(5 * time.Second)
		}
		said := out.String()
		if p.Err() == nil || !strings.Contains(strings.ToLower(said), "password") {
			t.Errorf("with admin password %q simvid ended with %v and said:\n%s", pw, p.Err(), firstLines(said, 5))
		}
	}
}

func firstLines(s string, n int) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	var out []string
	for sc.Scan() && len(out) < n {
		out = append(out, sc.Text())
	}
	return strings.Join(out, "\n")
}
