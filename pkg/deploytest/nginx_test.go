package deploytest

import (
	"bufio"
	"context"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/testutil"
)

// The deployed file, with only its upstream, listen and paths rewritten, passes nginx -t.
func TestNginxConfigPassesNginxT(t *testing.T) {
	testutil.Need(t, "nginx")
	site := NginxSite{Listen: "127.0.0.1:18081", Upstreams: []string{"127.0.0.1:18080"}, Dir: t.TempDir()}
	conf, err := WriteNginx(deployDir(t), site)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("nginx", "-t", "-p", site.Dir+"/", "-c", conf, "-e", site.Dir+"/error.log").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "test is successful") {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
}

// What the deployed file must say even where a loopback test cannot observe it.
func TestNginxConfigDirectives(t *testing.T) {
	raw := readDeploy(t, "nginx.conf")
	conf := strings.Join(strings.Fields(raw), " ")
	for _, want := range []string{
		`least_conn;`, `keepalive 32;`, `server web:8080`,
		`limit_req_zone $binary_remote_addr zone=simvid_req:10m rate=10r/s;`,
		`limit_conn simvid_conn 10;`, `client_max_body_size 512m;`,
		`proxy_request_buffering off;`, `proxy_buffering off;`, `proxy_read_timeout 3600s;`,
		`proxy_http_version 1.1;`, `proxy_set_header Connection "";`,
		`proxy_set_header X-Forwarded-For $remote_addr;`, `proxy_next_upstream error timeout;`,
		`location ~ ^/api/v1/renders/[^/]+/events$`, `location ^~ /progress/`,
		`error_page 413 = @json413;`, `error_page 429 = @json429;`, `error_page 502 = @json502;`,
		`error_page 503 = @json503;`, `error_page 504 = @json504;`,
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("deploy/nginx.conf lacks %q", want)
		}
	}
	// nginx drops every inherited proxy_set_header in a location that sets one of its own.
	inLocation := regexp.MustCompile(`(?s)location [^{]*\{[^}]*proxy_set_header`)
	if m := inLocation.FindString(raw); m != "" {
		t.Errorf("a location sets proxy_set_header, losing the server-level ones: %q", m)
	}
}

func TestNginxPassesClientAndRequestID(t *testing.T) {
	base := startNginx(t, fakeSimvid(t, "a", nil))

	resp, s := get(t, base+"/api/v1/capabilities", map[string]string{
		"X-Forwarded-For": "6.6.6.6", "X-Request-ID": "req-abc.123"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if s.XFF != "127.0.0.1" || s.RealIP != "127.0.0.1" {
		t.Errorf("X-Forwarded-For %q, X-Real-IP %q: want the TCP peer alone, the client's own value dropped", s.XFF, s.RealIP)
	}
	if s.RequestID != "req-abc.123" {
		t.Errorf("X-Request-ID %q: want the client's id passed through", s.RequestID)
	}
	if s.Proto != "http" || !strings.HasPrefix(s.Host, "127.0.0.1") || s.Connection != "" {
		t.Errorf("proto %q host %q connection %q", s.Proto, s.Host, s.Connection)
	}

	for _, id := range []string{"", "has spaces and <html>", strings.Repeat("x", 65)} {
		_, s := get(t, base+"/api/v1/capabilities", map[string]string{"X-Request-ID": id})
		if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(s.RequestID) {
			t.Errorf("client id %q became %q: want one nginx made", id, s.RequestID)
		}
	}
}

func TestNginxHealthIsAnsweredByNginx(t *testing.T) {
	base := startNginx(t, freeAddr(t)) // no simvid at all
	resp, err := http.Get(base + "/nginx-health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("/nginx-health: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// Each event reaches the client while the stream is still open: nothing is held back.
// (nginx 1.22 forwards a small event promptly even when buffering, so the directives test
// above is what pins proxy_buffering off; this one pins the routing and the behaviour.)
func TestNginxStreamsEventsUnbuffered(t *testing.T) {
	release := make(chan struct{})
	base := startNginx(t, fakeSimvid(t, "a", release))
	for _, path := range []string{"/api/v1/renders/r_1/events", "/progress/job1"} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v (first event held back?)", path, err)
		}
		line, err := bufio.NewReader(resp.Body).ReadString('\n')
		if err != nil || line != "data: one\n" {
			t.Fatalf("%s: first line %q, %v: want the first event while the stream is open", path, line, err)
		}
		resp.Body.Close()
		cancel()
	}
	close(release)
}

// A stopped instance: every GET is retried on the live one.
func TestNginxRetriesAnotherInstance(t *testing.T) {
	base := startNginx(t, freeAddr(t), fakeSimvid(t, "live", nil))
	for i := 0; i < 6; i++ {
		resp, s := get(t, base+"/api/v1/renders/r_1", nil)
		if resp.StatusCode != http.StatusOK || s.Instance != "live" {
			t.Fatalf("GET %d: status %d from %q: want 200 from the live instance", i, resp.StatusCode, s.Instance)
		}
	}
}
