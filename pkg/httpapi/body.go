package httpapi

import (
	"errors"
	"io"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/simvid"
)

// bodyLimit caps a request body at n bytes. Readers past the cap get errBodyTooLarge, which
// surfaces as 413 however deep a parser wrapped it.
func bodyLimit(n int64) echo.MiddlewareFunc {
	if n <= 0 {
		n = 512 << 20
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.ContentLength > n {
				return tooLarge(n)
			}
			lr := &limitedBody{r: req.Body, left: n}
			req.Body = lr
			err := next(c)
			if lr.hit && err != nil && !c.Response().Committed {
				return tooLarge(n)
			}
			return err
		}
	}
}

func tooLarge(n int64) error {
	return simvid.Errorf(simvid.ETooLarge, "the request body is larger than the %d MiB limit", max(n>>20, 1))
}

var errBodyTooLarge = errors.New("request body too large")

type limitedBody struct {
	r    io.ReadCloser
	left int64
	hit  bool
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		l.hit = true
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left <= 0 && err == nil {
		// One more byte would be over: find out now, so an exact-size body passes.
		var one [1]byte
		if m, _ := l.r.Read(one[:]); m > 0 {
			l.hit = true
			return n, errBodyTooLarge
		}
	}
	return n, err
}

func (l *limitedBody) Close() error { return l.r.Close() }
