package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/ulule/limiter/v3"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/simvid"
)

// Response headers set on every limited route.
const (
	HeaderLimit     = "X-RateLimit-Limit"
	HeaderRemaining = "X-RateLimit-Remaining"
	HeaderReset     = "X-RateLimit-Reset"
)

// Middleware limits the routes it wraps by bucket, per client IP (c.RealIP(), so the echo
// instance's IPExtractor decides whom X-Forwarded-For is believed from). Over the limit it
// answers 429; when Redis cannot be asked it answers 503. Both are the API's JSON error.
// An unknown bucket is a programming error and panics when the routes are registered.
func (l *Limiter) Middleware(bucket string) echo.MiddlewareFunc {
	rates, ok := l.rates[bucket]
	if !ok {
		panic(fmt.Sprintf("ratelimit: Middleware for unknown bucket %q", bucket))
	}
	costs := bucket == BucketUpload && len(l.costs) > 0
	if !l.enabled || (len(rates) == 0 && !costs) {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			reqCtx := c.Request().Context()
			ctx, cancel := context.WithTimeout(reqCtx, l.timeout)
			key, own := ClientKey(c.RealIP()), []limiter.Rate(nil)
			if o, ok := c.Get(OverrideKey).(Override); ok {
				key, own = o.Key, o.Rates
			}
			res, rate, err := l.allowRates(ctx, bucket, key, own)
			cancel()
			if err != nil {
				if reqCtx.Err() != nil {
					return reqCtx.Err() // the client left; nobody reads an answer
				}
				return l.unavailable(c, bucket, err)
			}
			if len(rates) > 0 || len(own) > 0 {
				h := c.Response().Header()
				h.Set(HeaderLimit, strconv.FormatInt(res.Limit, 10))
				h.Set(HeaderRemaining, strconv.FormatInt(res.Remaining, 10))
				h.Set(HeaderReset, strconv.FormatInt(res.Reset, 10))
			}
			if !res.Reached {
				if costs {
					return l.metered(key, next, c)
				}
				return next(c)
			}
			h := c.Response().Header()
			wait := retryAfter(res, time.Now())
			h.Set("Retry-After", strconv.FormatInt(int64(wait/time.Second), 10))
			l.log.Debug("rate limited", zap.String("bucket", bucket), zap.String("client", c.RealIP()))
			return writeError(c, http.StatusTooManyRequests, simvid.Errorf(simvid.ERateLimited,
				"Too many requests: limit of %d per %s for %s; try again in %s",
				rate.Limit, periodWords(rate.Period), bucketNoun(bucket), humanDuration(wait)))
		}
	}
}

// unavailable answers 503 when Redis cannot be asked: the limit cannot be known.
func (l *Limiter) unavailable(c echo.Context, what string, err error) error {
	l.log.Warn("rate limit check failed; answering 503", zap.String("bucket", what), zap.Error(err))
	c.Response().Header().Set("Retry-After", "5")
	return writeError(c, http.StatusServiceUnavailable, simvid.Errorf(simvid.EUnavailable,
		"The service is temporarily unavailable (its Redis cannot be reached); please try again in a few seconds"))
}

// OverrideKey is the echo context key of an Override.
const OverrideKey = "ratelimit.override"

// Override, set on the echo context by an earlier middleware (an API key's), makes the limiter
// count a request against Key instead of the client IP and, when Rates is set, apply those
// rates to every bucket instead of the configured ones.
type Override struct {
	Key   string
	Rates []limiter.Rate
}

// retryAfter is how long a refused client waits, in whole seconds, at least one.
func retryAfter(res limiter.Context, now time.Time) time.Duration {
	secs := max(res.Reset-now.Unix(), 1)
	return time.Duration(secs) * time.Second
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeError(c echo.Context, status int, err error) error {
	var body errorBody
	var e *simvid.Error
	if errors.As(err, &e) {
		body.Error.Code, body.Error.Message = e.Code, e.Message
	}
	return c.JSON(status, body)
}
