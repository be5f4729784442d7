package httpapi

import (
	"errors"
	"io"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/simvid"
)

// bodyLimit caps a request body at n bytes, counted as they stream in, so that a chunked
// body (no Content-Length) is held to the same cap. Readers past the cap get a 413 error,
// which surfaces as 413 however deep a parser wrapped or replaced it.
func bodyLimit(n int64) echo.MiddlewareFunc {
	if n <= 0 {
		n = 512 << 20
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			return capBody(c, n, tooLarge(n), next)
		}
	}
}

// capBody runs next with the request body stopped after left bytes: reads past them fail
// with refusal, and so does the request. A declared Content-Length over left is refused
// before a byte is read.
func capBody(c echo.Context, left int64, refusal error, next echo.HandlerFunc) error {
	req := c.Request()
	if req.ContentLength > left {
		return refusal
	}
	lr := &limitedBody{r: req.Body, left: left, refusal: refusal}
	req.Body = lr
	err := next(c)
	if lr.hit && err != nil && !c.Response().Committed {
		return refusal
	}
	return err
}

func tooLarge(n int64) error {
	return simvid.Errorf(simvid.ETooLarge, "the request body is larger than the %d MiB limit", max(n>>20, 1))
}

// limitedBody is a request body that refuses to read past left bytes.
type limitedBody struct {
	r       io.ReadCloser
	left    int64
	refusal error // what a read past the cap returns: a coded error naming the limit
	hit     bool
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// Either the cap is 0 (nothing may come) or it was reached: one more byte is over.
		var one [1]byte
		m, err := l.r.Read(one[:])
		if m > 0 {
			l.hit = true
			return 0, l.refusal
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left <= 0 && err == nil {
		// One more byte would be over: find out now, so an exact-size body passes.
		var one [1]byte
		m, perr := l.r.Read(one[:])
		if m > 0 {
			l.hit = true
			return n, l.refusal
		}
		return n, perr
	}
	return n, err
}

func (l *limitedBody) Close() error { return l.r.Close() }

// isBodyRefusal tells whether err is a refusal raised while reading the body (a cap, a
// quota, a full disk, a too slow client): parsers must pass it on, not call the body invalid.
func isBodyRefusal(err error) bool {
	var ce *simvid.Error
	return errors.As(err, &ce)
}
