package faults

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
	"github.com/simvid/simvid/pkg/testutil"
)

// slowReader hands out its bytes a chunk at a time with a pause before each: an upload that
// is still arriving when the server is told to stop.
type slowReader struct {
	data  []byte
	chunk int
	pause time.Duration
}

func (r *slowReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	time.Sleep(r.pause)
	n := copy(p[:min(len(p), r.chunk)], r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestServeSIGTERMBehindNginx: two serve instances behind the real nginx.conf, clients from
// their own loopback addresses polling and creating projects, uploads arriving slowly; one
// instance gets SIGTERM. Its in-flight requests finish, nginx sends new ones to the other,
// and no client sees a 5xx.
func TestServeSIGTERMBehindNginx(t *testing.T) {
	c := newCluster(t, "")
	a, b := c.Serve("serve-a"), c.Serve("serve-b")
	c.Work("work")
	front, ngDir := nginxFront(t, a, b)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := show{n: 6, w: 1280, h: 720, secs: 3, res: "1280x720"}
	id := project(t, ctx, front, s)
	r, err := bench.NewClient(front).StartRender(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	pic := testutil.Image(t, t.TempDir(), "slow.png", 640, 480, "orange")

	rec := bench.NewRecorder()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 6 { // pollers, each its own address, under nginx's 10 r/s per address
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			hc := bench.HTTPFrom(fmt.Sprintf("127.0.0.%d", 20+i), 10*time.Second)
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				case <-time.After(150 * time.Millisecond):
				}
				route, method, path := "GET render", http.MethodGet, "/api/v1/renders/"+r.ID
				switch n % 4 {
				case 1:
					route, path = "GET project", "/api/v1/projects/"+id
				case 3:
					route, method, path = "POST project", http.MethodPost, "/api/v1/projects"
				}
				send(rec, hc, route, method, front+path, nil, "")
			}
		}(i)
	}
	uploads := []struct{ name, base, ip string }{
		{"upload via nginx 1", front, "127.0.0.40"}, {"upload via nginx 2", front, "127.0.0.41"},
		{"upload via nginx 3", front, "127.0.0.42"}, {"upload straight to serve-a", a.URL, "127.0.0.43"},
	}
	time.Sleep(time.Second)
	for _, u := range uploads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, ctype := multipartBody(t, "images", pic)
			data, _ := io.ReadAll(body)
			// About 1.5 s on the wire: it is still arriving when SIGTERM comes.
			sr := &slowReader{data: data, chunk: max(len(data)/15, 1), pause: 100 * time.Millisecond}
			send(rec, bench.HTTPFrom(u.ip, 30*time.Second), u.name, http.MethodPost,
				u.base+"/api/v1/projects/"+id+"/images", io.NopCloser(sr), ctype, int64(len(data)))
		}()
	}
	time.Sleep(300 * time.Millisecond)
	t.Logf("tried: SIGTERM serve-a (pid %d) with 4 slow uploads in flight and 6 clients polling through nginx", a.Pid())
	term := time.Now()
	_ = syscall.Kill(a.Pid(), syscall.SIGTERM)
	select {
	case <-a.Done():
		t.Logf("saw: serve-a exited %v after SIGTERM (%v)", time.Since(term).Round(10*time.Millisecond), a.Err())
	case <-time.After(20 * time.Second):
		t.Fatal("serve-a did not exit within 20 s of SIGTERM")
	}
	time.Sleep(2 * time.Second) // keep polling: every request now goes to serve-b
	close(stop)
	wg.Wait()

	var out bytes.Buffer
	rec.Print(&out)
	t.Logf("saw, by route:\n%s", out.String())
	for _, sum := range rec.Summary() {
		if f := sum.Failures(); f > 0 {
			t.Errorf("%s: %d answers of 5xx or transport errors (%v %s)", sum.Route, f, sum.Statuses, sum.LastErr)
		}
		if strings.HasPrefix(sum.Route, "upload") && sum.Statuses[http.StatusOK] != 1 {
			t.Errorf("%s: %v; want one 200", sum.Route, sum.Statuses)
		}
	}
	names := strings.NewReplacer(strings.TrimPrefix(a.URL, "http://"), "serve-a", strings.TrimPrefix(b.URL, "http://"), "serve-b")
	after, retried := 0, 0
	for _, e := range accessLog(t, ngDir) {
		e.Upstream = names.Replace(e.Upstream)
		if strings.Contains(e.UpstreamStatus, ",") || strings.Contains(e.Upstream, ",") {
			retried++
			t.Logf("saw nginx try again: %s %s -> %d via %s (%s)", e.Method, e.URI, e.Status, e.Upstream, e.UpstreamStatus)
		}
		if e.Status >= 500 {
			t.Errorf("nginx answered %d for %s %s (upstreams %s: %s)", e.Status, e.Method, e.URI, e.Upstream, e.UpstreamStatus)
		}
		if e.Method == http.MethodPost && strings.HasSuffix(e.URI, "/images") {
			t.Logf("saw: %s %s -> %d served by %s", e.Method, e.URI, e.Status, e.Upstream)
		}
		if strings.HasSuffix(e.Upstream, "serve-b") {
			after++
		}
	}
	t.Logf("saw: nginx retried %d requests on the other instance; %d of %d requests through nginx ended on serve-b", retried, after, len(accessLog(t, ngDir)))
	if a.Err() != nil {
		t.Errorf("serve-a's exit after SIGTERM: %v", a.Err())
	}
}

// send makes one request with hc and records it under route. size, when given, is the
// body's length.
func send(rec *bench.Recorder, hc *http.Client, route, method, url string, body io.ReadCloser, ctype string, size ...int64) {
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		rec.Add(route, 0, 0, err)
		return
	}
	if len(size) > 0 {
		req.ContentLength = size[0]
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	start := time.Now()
	res, err := hc.Do(req)
	if err != nil {
		rec.Add(route, 0, time.Since(start), err)
		return
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	rec.Add(route, res.StatusCode, time.Since(start), nil)
}
