package ratelimit

import (
	"context"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/ulule/limiter/v3"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/simvid"
)

// An upload is limited by what it costs, not by how many requests carry it: the page sends
// one photo per request, so a request count that bounds abuse would stop a person at a few
// dozen photos. The costs are the bytes read from the client and the pixels decoded, counted
// per client and period after the request, and checked before the next one.

// cost is one budget: its config name, its rate (Limit is an amount, not a count), and how an
// amount of it is said to people.
type cost struct {
	field string // "upload_bytes"
	rate  limiter.Rate
	say   func(n int64) string
}

// Units of the amounts in a cost rate ("2GB-H", "6000MP-H"); a bare number counts single
// bytes or pixels.
var (
	byteUnits  = map[string]int64{"": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "TIB": 1 << 40}
	pixelUnits = map[string]int64{"": 1, "MP": 1e6}
	periods    = map[string]time.Duration{"S": time.Second, "M": time.Minute, "H": time.Hour, "D": 24 * time.Hour}
)

// ParseBytesRate reads a byte budget like "2GB-H" (units B, KB, MB, GB, KiB, MiB, GiB) for
// field.
func ParseBytesRate(field, s string) (limiter.Rate, error) {
	return parseAmountRate(field, s, byteUnits, "2GB-H")
}

// ParsePixelsRate reads a budget of decoded pixels like "6000MP-H" (MP: a million pixels).
func ParsePixelsRate(field, s string) (limiter.Rate, error) {
	return parseAmountRate(field, s, pixelUnits, "6000MP-H")
}

func parseAmountRate(field, s string, units map[string]int64, example string) (limiter.Rate, error) {
	bad := simvid.Errorf(simvid.EInvalid,
		"rate limit for %s is %q: write it as an amount and a period, like %s (S, M, H or D), with an amount above 0",
		field, s, example)
	amount, period, ok := strings.Cut(strings.TrimSpace(s), "-")
	d, known := periods[strings.ToUpper(strings.TrimSpace(period))]
	if !ok || !known {
		return limiter.Rate{}, bad
	}
	amount = strings.TrimSpace(amount)
	i := strings.IndexFunc(amount, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := amount, ""
	if i >= 0 {
		num, unit = amount[:i], strings.TrimSpace(amount[i:])
	}
	mult, known := units[strings.ToUpper(unit)]
	f, err := strconv.ParseFloat(num, 64)
	if !known || err != nil || f <= 0 || f*float64(mult) >= math.MaxInt64/2 || f*float64(mult) < 1 {
		return limiter.Rate{}, bad
	}
	return limiter.Rate{Formatted: s, Period: d, Limit: int64(f * float64(mult))}, nil
}

// sayBytes: 2 GB, 512 MB, 900 KB.
func sayBytes(n int64) string {
	f := float64(n)
	for _, u := range []struct {
		size float64
		name string
	}{{1e12, "TB"}, {1e9, "GB"}, {1e6, "MB"}, {1e3, "KB"}} {
		if f >= u.size {
			return strconv.FormatFloat(math.Round(f/u.size*10)/10, 'f', -1, 64) + " " + u.name
		}
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// sayPixels: 6000 megapixels of pictures.
func sayPixels(n int64) string {
	if n >= 1e6 {
		return strconv.FormatFloat(math.Round(float64(n)/1e5)/10, 'f', -1, 64) + " megapixels of pictures"
	}
	return strconv.FormatInt(n, 10) + " pixels of pictures"
}

const meterKey = "ratelimit.meter"

// meter collects what one upload request cost while its handler runs.
type meter struct{ pixels atomic.Int64 }

// ChargePixels adds n decoded pixels to the cost of the upload request c is serving; the
// limiter counts them once the request is done. Without a pixel budget it does nothing.
func ChargePixels(c echo.Context, n int64) {
	if m, ok := c.Get(meterKey).(*meter); ok && n > 0 {
		m.pixels.Add(n)
	}
}

// countingBody counts the bytes the handler reads from the client.
type countingBody struct {
	io.ReadCloser
	n atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

func costKey(c cost, client string) string {
	return c.field + ":" + periodTag(c.rate.Period) + ":" + client
}

// metered refuses an upload when a budget of the client is spent (or the body it declares
// cannot fit in what is left of the byte budget), and after the handler counts the bytes it
// read and the pixels it charged, whether or not the request succeeded: the work was done.
func (l *Limiter) metered(key string, next echo.HandlerFunc, c echo.Context) error {
	req := c.Request()
	ctx, cancel := context.WithTimeout(req.Context(), l.timeout)
	for _, k := range l.costs {
		used, ttl, err := l.store.usage(ctx, costKey(k, key))
		if err != nil {
			cancel()
			if req.Context().Err() != nil {
				return req.Context().Err()
			}
			return l.unavailable(c, "upload cost", err)
		}
		need := int64(1)
		if k.field == "upload_bytes" && req.ContentLength > 0 {
			need = req.ContentLength
		}
		if used+need > k.rate.Limit {
			cancel()
			wait := max(ttl, time.Second)
			if ttl <= 0 {
				wait = k.rate.Period // a body larger than the whole budget
			}
			secs := int64((wait + time.Second - 1) / time.Second)
			c.Response().Header().Set("Retry-After", strconv.FormatInt(secs, 10))
			l.log.Debug("upload budget spent", zap.String("limit", k.field), zap.String("client", c.RealIP()))
			left := ""
			if used < k.rate.Limit {
				left = " (" + k.say(k.rate.Limit-used) + " left, this upload is " + k.say(need) + ")"
			}
			return writeError(c, http.StatusTooManyRequests, simvid.Errorf(simvid.ERateLimited,
				"Upload limit reached: at most %s per %s (rate_limits.%s)%s; try again in %s",
				k.say(k.rate.Limit), periodWords(k.rate.Period), k.field, left, humanDuration(time.Duration(secs)*time.Second)))
		}
	}
	cancel()
	m := &meter{}
	c.Set(meterKey, m)
	body := &countingBody{ReadCloser: req.Body}
	req.Body = body
	err := next(c)
	// The client may be gone: count anyway, apart from its context.
	ctx, cancel = context.WithTimeout(context.WithoutCancel(req.Context()), l.timeout)
	defer cancel()
	for _, k := range l.costs {
		n := body.n.Load()
		if k.field == "upload_pixels" {
			n = m.pixels.Load()
		}
		if n <= 0 {
			continue
		}
		if _, ierr := l.store.Increment(ctx, costKey(k, key), n, k.rate); ierr != nil {
			l.log.Warn("could not count an upload's cost", zap.String("limit", k.field), zap.Error(ierr))
		}
	}
	return err
}
