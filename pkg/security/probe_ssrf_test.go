package security

import (
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// listener counts the connections that reach a loopback port nobody should reach.
type listener struct {
	net.Listener
	hits atomic.Int32
}

func listen(t *testing.T, addr string) *listener {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("listen on %s: %v", addr, err)
	}
	ln := &listener{Listener: l}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			ln.hits.Add(1)
			_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nContent-Length: 4\r\n\r\nID3\x04"))
			c.Close()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return ln
}

func (l *listener) port() int { return l.Addr().(*net.TCPAddr).Port }

// ssrfForms are the spellings of addresses a fetch must never reach, for a port.
func ssrfForms(port int) []string {
	p := fmt.Sprint(port)
	return []string{
		"http://127.0.0.1:" + p + "/a.mp3", "http://169.254.169.254/latest/meta-data/", "http://[::1]:" + p + "/a.mp3",
		"http://2130706433:" + p + "/a.mp3", "http://0x7f.1:" + p + "/a.mp3", "http://[::ffff:127.0.0.1]:" + p + "/a.mp3",
		"http://127.1:" + p + "/a.mp3", "http://0177.0.0.1:" + p + "/a.mp3", "http://0:" + p + "/a.mp3",
		"http://[0:0:0:0:0:ffff:7f00:1]:" + p + "/a.mp3", "http://user@127.0.0.1:" + p + "/", "file:///etc/passwd",
		"gopher://127.0.0.1:" + p + "/", "http://100.100.100.200/",
	}
}

// probeSSRF puts every address form in every URL field a client sets (music link, picture
// link, music by link in a spec, the origin's download_youtube) and checks that each is
// refused at once, or, for a host name that resolves to loopback, fails without a connection.
func probeSSRF(t *testing.T, s *server) {
	ln := listen(t, "127.0.0.1:0")
	pid, asset := projectWithPicture(t, s, "a.jpg")
	fields := []struct {
		name string
		send func(u string) answer
	}{
		{"music link", func(u string) answer {
			return call(t, http.MethodPost, s.URL+"/api/v1/projects/"+pid+"/music/link", map[string]any{"url": u})
		}},
		{"picture link", func(u string) answer {
			return call(t, http.MethodPost, s.URL+"/api/v1/renders", map[string]any{"spec": map[string]any{"slides": []any{map[string]any{"url": u}}}})
		}},
		{"spec music link", func(u string) answer {
			return call(t, http.MethodPost, s.URL+"/api/v1/renders", map[string]any{"project_id": pid,
				"spec": map[string]any{"slides": []any{map[string]any{"asset": asset}}, "audio": []any{map[string]any{"url": u}}}})
		}},
		{"download_youtube", func(u string) answer {
			return call(t, http.MethodPost, s.URL+"/download_youtube", map[string]any{"url": u})
		}},
	}
	for _, f := range fields {
		for _, u := range ssrfForms(ln.port()) {
			if a := f.send(u); a.Status != http.StatusUnprocessableEntity && a.Status != http.StatusBadRequest {
				t.Errorf("%s %s: %s, want 422 at once", f.name, u, a)
			}
		}
	}
	// A name that resolves to loopback passes the syntax check; the dial must refuse it.
	local := fmt.Sprintf("http://localhost:%d/a.mp3", ln.port())
	if a := fields[0].send(local); a.Status != http.StatusAccepted && a.Status != http.StatusUnprocessableEntity {
		t.Errorf("music link %s: %s", local, a)
	} else if a.Status == http.StatusAccepted {
		waitMusic(t, s, pid, "failed")
	}
	if a := fields[1].send(local); a.Status == http.StatusAccepted {
		id, _ := a.JSON()["id"].(string)
		if st := waitRender(t, s, id, 60*time.Second); st != "failed" {
			t.Errorf("a render of a picture at %s ended %q, want failed", local, st)
		}
	} else if a.Status != http.StatusUnprocessableEntity {
		t.Errorf("picture link %s: %s", local, a)
	}
	if a := fields[3].send(local); a.Status != http.StatusUnprocessableEntity {
		t.Errorf("download_youtube %s: %s, want 422", local, a)
	}
	if n := ln.hits.Load(); n != 0 {
		t.Errorf("the loopback listener was reached %d times", n)
	}
}

// waitMusic polls the project until its music is in state want (or the test fails).
func waitMusic(t *testing.T, s *server, pid, want string, hdr ...string) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		a := call(t, http.MethodGet, s.URL+"/api/v1/projects/"+pid, nil, hdr...)
		m, _ := a.JSON()["music"].(map[string]any)
		last, _ = m["state"].(string)
		if last == want {
			return
		}
		if last == "ready" || last == "failed" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Errorf("music of %s is %q, want %q", pid, last, want)
}

// waitRender polls a render until it is finished and returns its state ("" on timeout).
func waitRender(t *testing.T, s *server, id string, limit time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		a := call(t, http.MethodGet, s.URL+"/api/v1/renders/"+id, nil)
		st, _ := a.JSON()["state"].(string)
		switch st {
		case "done", "failed", "canceled":
			if st == "failed" {
				t.Logf("render %s failed: %v", id, a.JSON()["error"])
			}
			return st
		}
		time.Sleep(300 * time.Millisecond)
	}
	return ""
}

// probeRedirect: a link to an allowed address (127.0.0.1, allowed on this server) that
// redirects to a forbidden one must not be followed there.
func probeRedirect(t *testing.T, s *server) {
	inner := listen(t, "127.0.0.2:0")
	targets := []string{
		fmt.Sprintf("http://127.0.0.2:%d/a.mp3", inner.port()), fmt.Sprintf("http://[::1]:%d/a.mp3", inner.port()),
		"http://169.254.169.254/latest/meta-data/", fmt.Sprintf("http://2130706434:%d/a.mp3", inner.port()),
	}
	var i atomic.Int32
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(i.Add(1)-1) % len(targets)
		http.Redirect(w, r, targets[n], http.StatusFound)
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	link := fmt.Sprintf("http://localhost:%d/song.mp3", l.Addr().(*net.TCPAddr).Port)
	for range targets {
		pid := newProject(t, s)
		a := call(t, http.MethodPost, s.URL+"/api/v1/projects/"+pid+"/music/link", map[string]any{"url": link})
		if a.Status != http.StatusAccepted {
			t.Fatalf("music link %s: %s, want 202 (127.0.0.1 is allowed here)", link, a)
		}
		waitMusic(t, s, pid, "failed")
	}
	if i.Load() == 0 {
		t.Error("the allowed link was never fetched: the probe proves nothing")
	}
	if n := inner.hits.Load(); n != 0 {
		t.Errorf("a redirect reached 127.0.0.2 %d times", n)
	}
}
