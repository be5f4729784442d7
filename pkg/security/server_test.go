package security

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
	"github.com/simvid/simvid/pkg/testutil"
)

// adminPassword is strong enough for any estimator; weak ones are a probe of their own.
const adminPassword = "violet ferry tango 83 lantern"

// generous rate limits: the probes send hundreds of requests from one address, and the
// limiter is not what they test (its own tests are in pkg/ratelimit).
var generous = []string{
	"SIMVID_RATE_LIMITS_UPLOAD=100000-H", "SIMVID_RATE_LIMITS_RENDER=100000-H",
	"SIMVID_RATE_LIMITS_READ=100000-H", "SIMVID_RATE_LIMITS_LINK=100000-H", "SIMVID_RATE_LIMITS_OTHER=100000-H",
	"SIMVID_RATE_LIMITS_OTHER_DAILY=1000000-D", "SIMVID_LIMITS_MIN_FREE_DISK=0",
	"SIMVID_ADMIN_PASSWORD=" + adminPassword, "SIMVID_LINKS_DIRECT_MEDIA=true",
}

// server is one running `simvid all` and what the probes share about it.
type server struct {
	*bench.Server
	ffmpegRuns func() int // the ffmpeg runs so far, when started by startCounting
	mu         sync.Mutex
	admin      *adminSession // logged in once, lazily
}

// start runs `simvid all` on a free loopback port and a temporary data directory with the
// given environment (on top of the defaults), until the test ends.
// startCounting starts the binary as start does, with an ffmpeg that counts its runs.
func startCounting(t *testing.T, env ...string) *server {
	bin, runs := testutil.CountingFFmpeg(t)
	s := start(t, append(env, "SIMVID_FFMPEG_FFMPEG="+bin)...)
	s.ffmpegRuns = runs
	return s
}

func start(t *testing.T, env ...string) *server {
	t.Helper()
	testutil.Need(t, "ffmpeg", "ffprobe")
	bin := testutil.SimvidBinary(t)
	addr, err := bench.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	p, err := bench.StartProcess(bin, []string{"all", "--addr", addr, "--data-dir", data,
		"--metrics-addr", "127.0.0.1:0", "--log-level", "warn"}, env, logWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	s := &server{Server: &bench.Server{Process: p, URL: "http://" + addr, DataDir: data}}
	t.Cleanup(func() { _ = p.Stop(20 * time.Second) })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := bench.WaitReady(ctx, s.URL, p); err != nil {
		t.Fatalf("simvid all did not start: %v", err)
	}
	return s
}

// logWriter keeps the server's warnings in the test log, one line per write.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Logf("simvid: %s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

// answer is a finished HTTP exchange.
type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body as an object (nil when it is not one).
func (a answer) JSON() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(a.Body, &m)
	return m
}

// Code is the error code of a v1 error answer.
func (a answer) Code() string {
	e, _ := a.JSON()["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func (a answer) String() string {
	b := a.Body
	if len(b) > 300 {
		b = b[:300]
	}
	return http.StatusText(a.Status) + " " + strings.TrimSpace(string(b))
}

var client = &http.Client{Timeout: 90 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse // a probe sees redirects as they are
}}

// call sends one request; body may be nil, a []byte, a string, an io.Reader or a value sent as JSON.
func call(t testing.TB, method, url string, body any, hdr ...string) answer {
	t.Helper()
	var r io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = strings.NewReader(b)
	case io.Reader:
		r = b
	default:
		j, _ := json.Marshal(b)
		r, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header, b}
}

// rawGet sends a request line exactly as given (no client-side path cleaning) and reads the answer.
func rawGet(t testing.TB, base, target string, hdr ...string) answer {
	t.Helper()
	host := strings.TrimPrefix(base, "http://")
	conn, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	var b strings.Builder
	b.WriteString("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n")
	for i := 0; i+1 < len(hdr); i += 2 {
		b.WriteString(hdr[i] + ": " + hdr[i+1] + "\r\n")
	}
	b.WriteString("\r\n")
	if _, err := conn.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufioReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header, body}
}
