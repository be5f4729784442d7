package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/simvid"
)

// Body deadlines. The server's ReadHeaderTimeout ends at the headers: without more, a client
// that declares a body and sends a byte now and then holds its connection, its goroutine
// and its file descriptor for as long as it likes. Every body gets a deadline on the
// connection: a fixed one for ordinary requests, and for uploads one that grows with the
// bytes received (a minimum average rate), so that a slow phone still finishes a large photo
// while a trickle is cut off. Only time spent waiting for the client counts: while the
// server itself is busy between two reads, the clock stops.

type deadlineKey struct{}

// bodyDeadlines wraps h so that every request body must arrive within timeout, unless a
// route raises it to a rate (uploadRate).
func bodyDeadlines(h http.Handler, timeout time.Duration) http.Handler {
	if timeout <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
			h.ServeHTTP(w, r)
			return
		}
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodDelete, http.MethodTrace:
			// No route reads a body with these: answer at once and close, rather than wait
			// for a body nobody wants before the connection can carry another request. The
			// server would still drain up to 256 KiB of the unread body before closing; a
			// deadline already past ends that drain at once.
			w.Header().Set("Connection", "close")
			h.ServeHTTP(w, r)
			_ = http.NewResponseController(w).SetReadDeadline(time.Now())
			return
		}
		b := &deadlineBody{ReadCloser: r.Body, rc: http.NewResponseController(w), pause: timeout, budget: timeout}
		_ = b.rc.SetReadDeadline(time.Now().Add(timeout)) // holds even if the handler never reads
		r = r.WithContext(context.WithValue(r.Context(), deadlineKey{}, b))
		r.Body = b // on the copy: the server's own request keeps its body for its checks
		h.ServeHTTP(w, r)
	})
}

// uploadRate lets a route's body take as long as it needs at rate bytes a second or more (after
// the fixed deadline's time is used up), never pausing longer than that deadline.
func uploadRate(rate int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if b, ok := c.Request().Context().Value(deadlineKey{}).(*deadlineBody); ok && rate > 0 {
				b.rate = rate
			}
			return next(c)
		}
	}
}

// deadlineBody sets the connection's read deadline before each read from the budget left.
type deadlineBody struct {
	io.ReadCloser
	rc     *http.ResponseController
	pause  time.Duration // longest single wait for the client
	budget time.Duration // total wait allowed, before the rate's share
	rate   int64         // bytes a second that earn more wait; 0 = budget only
	waited time.Duration
	read   int64
	done   bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	if b.done {
		return b.ReadCloser.Read(p)
	}
	allow := b.budget - b.waited
	if b.rate > 0 {
		allow += time.Duration(float64(b.read) / float64(b.rate) * float64(time.Second))
	}
	allow = min(allow, b.pause)
	if allow <= 0 {
		return 0, b.tooSlow()
	}
	_ = b.rc.SetReadDeadline(time.Now().Add(allow))
	start := time.Now()
	n, err := b.ReadCloser.Read(p)
	b.waited += time.Since(start)
	b.read += int64(n)
	switch {
	case err == io.EOF:
		// The whole body is in: the server now watches the connection for the client going
		// away, and a deadline left set would cancel a long answer (a render, a stream).
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	case errors.Is(err, os.ErrDeadlineExceeded):
		return n, b.tooSlow()
	}
	return n, err
}

func (b *deadlineBody) tooSlow() error {
	if b.rate > 0 {
		return simvid.Errorf(simvid.EInvalid, "the upload arrived too slowly: it must keep up at least %d KiB a second and never pause %s",
			max(b.rate>>10, 1), b.pause)
	}
	return simvid.Errorf(simvid.EInvalid, "the request body did not arrive within %s", b.pause)
}
