package app_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/config"
	"github.com/simvid/simvid/pkg/testutil"
)

// startGuarded runs every role with small connection limits: 8 connections an address, a
// body timeout of 1 s, uploads at 64 KiB/s at least.
func startGuarded(t *testing.T) (base, addr string) {
	t.Helper()
	cfg := testConfig(t, "")
	cfg.RateLimits.Enabled = false
	cfg.HTTP = config.HTTP{ConnsPerClient: 8, BodyTimeout: time.Second, UploadMinRate: 64 * config.KiB}
	base = startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: true})
	return base, strings.TrimPrefix(base, "http://")
}

// dialFrom opens a TCP connection to addr from the loopback address from (127.0.0.x: Linux
// routes all of 127/8 to lo, so each is a client of its own).
func dialFrom(t *testing.T, from, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 2 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial from %s: %v", from, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// clientFrom is an HTTP client whose connections come from the loopback address from.
func clientFrom(from string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

// answered reads from c until the server answers or closes, and returns the status line
// ("" when closed without an answer) and how long it took; it fails past limit.
func answered(t *testing.T, c net.Conn, limit time.Duration) (string, time.Duration) {
	t.Helper()
	start := time.Now()
	_ = c.SetReadDeadline(start.Add(limit))
	line, err := bufio.NewReader(c).ReadString('\n')
	took := time.Since(start)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("no answer and still open after %v", took)
	}
	return strings.TrimSpace(line), took
}

// TestSlowBodiesAreCutOff: sockets that declare a body and send it a byte at a time are
// answered or closed within the body timeout, on a route without a body and on a JSON route.
func TestSlowBodiesAreCutOff(t *testing.T) {
	_, addr := startGuarded(t)
	var conns []net.Conn
	for i := range 6 {
		c := dialFrom(t, "127.0.0.1", addr)
		req := "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nx"
		if i%2 == 1 {
			req = "POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
		}
		if _, err := io.WriteString(c, req); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	// Keep trickling a byte every 300 ms: an unguarded server waits for the rest forever.
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	for _, c := range conns {
		go func() {
			for ctx.Err() == nil {
				time.Sleep(300 * time.Millisecond)
				if _, err := c.Write([]byte(" ")); err != nil {
					return
				}
			}
		}()
	}
	for i, c := range conns {
		line, took := answered(t, c, 4*time.Second)
		t.Logf("socket %d: %q after %v", i, line, took)
		if i%2 == 0 && !strings.Contains(line, " 200 ") {
			t.Errorf("GET /healthz with an unread body: %q, want 200 at once", line)
		}
		if took > 2500*time.Millisecond {
			t.Errorf("socket %d held %v; the body timeout is 1 s", i, took)
		}
	}
	// Answered is not enough: the server must also let go of the socket, rather than wait
	// to drain the body nobody reads while the client keeps trickling.
	for i, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
		if _, err := io.Copy(io.Discard, c); err != nil {
			t.Errorf("socket %d: still open 3 s after its answer while its client trickles: %v", i, err)
		}
	}
}

// TestConnectionCapPerAddress: one address holding its 8 connections gets the 9th refused,
// while another address's health check, page and API answer at once; once the first
// address lets go, it is served again.
func TestConnectionCapPerAddress(t *testing.T) {
	base, addr := startGuarded(t)
	var held []net.Conn
	for range 8 {
		c := dialFrom(t, "127.0.0.1", addr)
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n"); err != nil { // headers never end
			t.Fatal(err)
		}
		held = append(held, c)
	}
	time.Sleep(100 * time.Millisecond) // the server has accepted all 8

	extra := dialFrom(t, "127.0.0.1", addr)
	_, _ = io.WriteString(extra, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	line, took := answered(t, extra, 2*time.Second)
	if strings.Contains(line, " 200 ") {
		t.Fatalf("a 9th connection from the same address was served: %q", line)
	}
	t.Logf("9th connection: %q after %v", line, took)

	other := clientFrom("127.0.0.2")
	for _, path := range []string{"/healthz", "/", "/api/v1/capabilities"} {
		start := time.Now()
		res, err := other.Get(base + path)
		if err != nil {
			t.Fatalf("another address, %s: %v", path, err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if took := time.Since(start); res.StatusCode != http.StatusOK || took > time.Second {
			t.Fatalf("another address, %s: %d after %v", path, res.StatusCode, took)
		}
	}
	res, err := other.Post(base+"/api/v1/projects", "application/json", strings.NewReader("{}"))
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("another address, create a project: %v %v", res, err)
	}
	res.Body.Close()

	for _, c := range held {
		c.Close()
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		res, err := clientFrom("127.0.0.1").Get(base + "/healthz")
		if err == nil && res.StatusCode == http.StatusOK {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first address is still refused after closing its connections: %v %v", res, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestUploadMinimumRate: an upload slower than the fixed body timeout but above the minimum
// rate lands; one that trickles below it is cut off.
func TestUploadMinimumRate(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	base, addr := startGuarded(t)
	c := &client{t: t, base: base}
	pid := c.json(http.MethodPost, "/api/v1/projects", nil).JSON(t)["id"].(string)
	pic := testutil.Image(t, t.TempDir(), "a.png", 64, 48, "red")

	// 256 KiB of form padding at about 128 KiB/s: 2 s, twice the body timeout.
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("padding", strings.Repeat("p", 256<<10))
	part, _ := w.CreateFormFile("images", "a.png")
	_, _ = part.Write(mustRead(t, pic))
	_ = w.Close()
	conn := dialFrom(t, "127.0.0.1", addr)
	fmt.Fprintf(conn, "POST /api/v1/projects/%s/images HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		pid, w.FormDataContentType(), body.Len())
	start := time.Now()
	for b := body.Bytes(); len(b) > 0; {
		n := min(len(b), 16<<10)
		if _, err := conn.Write(b[:n]); err != nil {
			t.Fatalf("slow but steady upload cut after %v: %v", time.Since(start), err)
		}
		b = b[n:]
		time.Sleep(125 * time.Millisecond)
	}
	line, _ := answered(t, conn, 10*time.Second)
	if !strings.Contains(line, " 200 ") {
		t.Fatalf("a steady upload at 128 KiB/s over %v: %q", time.Since(start), line)
	}
	t.Logf("steady upload landed after %v", time.Since(start))

	// A trickle: the same head, then a byte every 200 ms.
	conn = dialFrom(t, "127.0.0.1", addr)
	fmt.Fprintf(conn, "POST /api/v1/projects/%s/images HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		pid, w.FormDataContentType(), body.Len())
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go func() {
		for i := 0; ctx.Err() == nil; i++ {
			if _, err := conn.Write(body.Bytes()[i : i+1]); err != nil {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
	}()
	line, took := answered(t, conn, 5*time.Second)
	t.Logf("trickle: %q after %v", line, took)
	if took > 3*time.Second {
		t.Fatalf("a trickling upload held its connection %v", took)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
