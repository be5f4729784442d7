package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/simvid/simvid/pkg/bench"
)

// streamBreaker sits between the page and the render routes (Chromium's fetch domain). The
// first event stream is held until the render is mid-flight, then answered with that one
// real event and ended, as a dropped connection would; later streams fail outright. Polls
// of the render (GET /api/v1/renders/{id}) go through and are counted.
type streamBreaker struct {
	base string
	mu   sync.Mutex
	// What the page did.
	streams  int
	polls    int
	broke    float64 // the render's progress when the stream was cut
	breakErr error
}

var renderPath = regexp.MustCompile(`/api/v1/renders/(rnd_[\w-]+)(/events)?(\?.*)?$`)

func (b *streamBreaker) run(ctx context.Context) {
	for ev, err := range chromedp.Events(ctx, fetch.RequestPaused) {
		if err != nil {
			return
		}
		m := renderPath.FindStringSubmatch(ev.Request.URL)
		switch {
		case m != nil && m[2] == "/events":
			b.mu.Lock()
			b.streams++
			first := b.streams == 1
			b.mu.Unlock()
			if first {
				go b.cut(ctx, ev.RequestID, m[1])
			} else {
				_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonConnectionReset})
			}
		default:
			if m != nil && m[3] == "" && ev.Request.Method == http.MethodGet {
				b.mu.Lock()
				b.polls++
				b.mu.Unlock()
			}
			_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
		}
	}
}

// cut waits until the render is a few percent in (so that the bar, which shows whole
// percents, can show the streamed value), then answers the stream with the render as it is
// and ends it.
func (b *streamBreaker) cut(ctx context.Context, req fetch.RequestID, id string) {
	var view json.RawMessage
	var r bench.Render
	for {
		res, err := http.Get(b.base + "/api/v1/renders/" + id)
		if err == nil {
			_ = json.NewDecoder(res.Body).Decode(&view)
			res.Body.Close()
			_ = json.Unmarshal(view, &r)
		}
		if r.Progress >= 3 || r.Finished() || ctx.Err() != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.mu.Lock()
	b.broke = r.Progress
	if r.Finished() {
		b.breakErr = errTooLate
	}
	b.mu.Unlock()
	body := "event: render\ndata: " + string(view) + "\n\n"
	_, err := chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: req, ResponseCode: 200,
		ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/event-stream"}, {Name: "Cache-Control", Value: "no-store"}},
		Body:            []byte(body)})
	if err != nil {
		b.mu.Lock()
		b.breakErr = err
		b.mu.Unlock()
	}
}

type tooLate struct{}

func (tooLate) Error() string { return "the render finished before the stream could be cut" }

var errTooLate error = tooLate{}

// TestBrowserPollingFallback cuts the render's event stream in the middle of a render and
// sees the page fall back to polling and still show the finished video.
func TestBrowserPollingFallback(t *testing.T) {
	s := startAll(t, "")
	ctx := openPage(t, 1280, 900)
	photos := pictures(t, t.TempDir(), "red", "lime", "blue", "yellow", "cyan", "magenta")

	step(t, ctx, "open the page and add photos", 40*time.Second, chromedp.Navigate(s.URL+"/"),
		until(`document.body.classList.contains('is-ready')`, 10*time.Second),
		chromedp.SetUploadFiles(chromedp.CSS("#file-input"), photos),
		until(`document.querySelectorAll('.slide[data-slide-id]').length === 6 && document.querySelectorAll('.upload').length === 0`, 20*time.Second),
		choose("#resolution", "1280x720"), choose("#duration", "2"))
	id := pageProject(t, ctx)
	serverAgrees(t, s.URL, id, "the settings", func(p map[string]any) bool {
		return len(p["slides"].([]any)) == 6 && field(p, "spec", "output", "resolution") == "1280x720" &&
			field(p, "spec", "defaults", "duration") == 2.0
	})

	b := &streamBreaker{base: s.URL}
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
		{URLPattern: "*/api/v1/renders/*", RequestStage: fetch.RequestStageRequest}}}); err != nil {
		t.Fatalf("fetch.enable: %v", err)
	}
	go b.run(lctx)

	start := time.Now()
	seen := generate(t, ctx, 90*time.Second)
	t.Logf("render took %v; progress bar values: %v", time.Since(start).Round(time.Millisecond), seen)
	b.mu.Lock()
	streams, polls, broke, berr := b.streams, b.polls, b.broke, b.breakErr
	b.mu.Unlock()
	t.Logf("event streams opened: %d, stream cut at %.1f%%, polls: %d", streams, broke, polls)
	if berr != nil {
		t.Fatalf("cutting the stream: %v", berr)
	}
	if streams != 1 {
		t.Errorf("the page opened %d event streams; want 1, then polling", streams)
	}
	if polls < 2 {
		t.Fatalf("the page polled the render %d times after its stream broke; want it to poll until done", polls)
	}
	if !containsBetween(seen, broke) {
		t.Errorf("the progress bar never showed the streamed %.1f%% (values %v)", broke, seen)
	}
	step(t, ctx, "the finished video", 10*time.Second,
		until(`document.querySelector('#result-video').readyState >= 1 && Math.abs(document.querySelector('#result-video').duration - 12) < 0.1`, 10*time.Second))
	if info := eval[string](t, ctx, `document.querySelector('#result-info').textContent`); !strings.HasPrefix(info, "0:12") {
		t.Errorf("result info %q", info)
	}
}

// containsBetween reports whether the progress values include v (rounded as the page does).
func containsBetween(seen []float64, v float64) bool {
	for _, s := range seen {
		if s > 0 && s < 100 && s >= v-1 && s <= v+1 {
			return true
		}
	}
	return false
}
