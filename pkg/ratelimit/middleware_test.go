package ratelimit_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"
	"github.com/labstack/echo/v4"
	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/ratelimit"
	"github.com/simvid/simvid/pkg/redisx/redistest"
)

func newLimiter(t *testing.T, pool *redis.Pool, cfg ratelimit.Config) *ratelimit.Limiter {
	t.Helper()
	l, err := ratelimit.New(pool, cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func testConfig() ratelimit.Config {
	cfg := ratelimit.DefaultConfig()
	cfg.Upload, cfg.Other, cfg.OtherDaily = "3-H", "100-H", "4-D"
	return cfg
}

// newEcho is a server as httpapi builds one: the IPExtractor decides who the client is.
func newEcho(l *ratelimit.Limiter, trusted ...string) *echo.Echo {
	e := echo.New()
	var prefixes []netip.Prefix
	for _, s := range trusted {
		prefixes = append(prefixes, netip.MustParsePrefix(s))
	}
	e.IPExtractor = ratelimit.IPExtractor(prefixes)
	ok := func(c echo.Context) error { return c.String(http.StatusOK, "ok") }
	e.POST("/upload", ok, l.Middleware(ratelimit.BucketUpload))
	e.GET("/other", ok, l.Middleware(ratelimit.BucketOther))
	e.GET("/read", ok, l.Middleware(ratelimit.BucketRead))
	return e
}

func hit(e http.Handler, method, path, peer, xff string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	req.RemoteAddr = peer + ":40000"
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

type apiError struct {
	Error struct{ Code, Message string } `json:"error"`
}

func decodeError(t *testing.T, rec *httptest.ResponseRecorder) apiError {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error answer has Content-Type %q, want JSON; body %s", ct, rec.Body)
	}
	var body apiError
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("error body %q: %v", rec.Body, err)
	}
	return body
}

func TestMiddlewareLimitsAndExplains(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			e := newEcho(newLimiter(t, newPool(t, b.start(t)), testConfig()))
			for i := 1; i <= 3; i++ {
				rec := hit(e, http.MethodPost, "/upload", "203.0.113.7", "")
				if rec.Code != http.StatusOK {
					t.Fatalf("upload %d: status %d", i, rec.Code)
				}
				h := rec.Header()
				if h.Get("X-RateLimit-Limit") != "3" || h.Get("X-RateLimit-Remaining") != strconv.Itoa(3-i) {
					t.Fatalf("upload %d: headers %v", i, h)
				}
				reset, _ := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
				if d := reset - time.Now().Unix(); d < 3590 || d > 3600 {
					t.Fatalf("X-RateLimit-Reset %d is %ds away, want about an hour", reset, d)
				}
			}
			rec := hit(e, http.MethodPost, "/upload", "203.0.113.7", "")
			if rec.Code != http.StatusTooManyRequests {
				t.Fatalf("4th upload: status %d, want 429", rec.Code)
			}
			if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra <= 0 || ra > 3600 {
				t.Fatalf("Retry-After %q", rec.Header().Get("Retry-After"))
			}
			if rec.Header().Get("X-RateLimit-Remaining") != "0" {
				t.Fatalf("429 headers %v", rec.Header())
			}
			body := decodeError(t, rec)
			if body.Error.Code != "rate_limited" ||
				!strings.HasPrefix(body.Error.Message, "Too many requests: limit of 3 per hour for uploads; try again in ") {
				t.Fatalf("429 body %+v", body)
			}
			// Another client and another bucket have counters of their own.
			if rec := hit(e, http.MethodPost, "/upload", "203.0.113.8", ""); rec.Code != http.StatusOK {
				t.Fatalf("another client: %d", rec.Code)
			}
			if rec := hit(e, http.MethodGet, "/read", "203.0.113.7", ""); rec.Code != http.StatusOK {
				t.Fatalf("read after uploads were used up: %d", rec.Code)
			}
		})
	}
}

// "other" is held by two rates at once; the daily one binds first here and is reported.
func TestMiddlewareOtherHasHourlyAndDailyRates(t *testing.T) {
	e := newEcho(newLimiter(t, newPool(t, backends[0].start(t)), testConfig()))
	for i := 1; i <= 4; i++ {
		rec := hit(e, http.MethodGet, "/other", "198.51.100.4", "")
		if rec.Code != http.StatusOK || rec.Header().Get("X-RateLimit-Limit") != "4" ||
			rec.Header().Get("X-RateLimit-Remaining") != strconv.Itoa(4-i) {
			t.Fatalf("request %d: %d %v", i, rec.Code, rec.Header())
		}
	}
	rec := hit(e, http.MethodGet, "/other", "198.51.100.4", "")
	body := decodeError(t, rec)
	if rec.Code != http.StatusTooManyRequests ||
		!strings.Contains(body.Error.Message, "limit of 4 per day for requests; try again in 24 hours") {
		t.Fatalf("%d %+v", rec.Code, body)
	}
	if ra, _ := strconv.Atoi(rec.Header().Get("Retry-After")); ra < 86000 {
		t.Fatalf("Retry-After %d, want about a day", ra)
	}
}

// Two serve instances on one Redis share one limit.
func TestMiddlewareLimitIsSharedAcrossInstances(t *testing.T) {
	url := redistest.Start(t)
	cfg := testConfig()
	a := newEcho(newLimiter(t, newPool(t, url), cfg))
	b := newEcho(newLimiter(t, newPool(t, url), cfg))
	codes := []int{}
	for _, e := range []*echo.Echo{a, b, a, b} {
		codes = append(codes, hit(e, http.MethodPost, "/upload", "192.0.2.1", "").Code)
	}
	if want := []int{200, 200, 200, 429}; !equalInts(codes, want) {
		t.Fatalf("statuses %v across two instances, want %v", codes, want)
	}
}

func TestMiddlewareAnswers503WhenRedisIsDown(t *testing.T) {
	srv := redistest.StartServer(t)
	e := newEcho(newLimiter(t, newPool(t, srv.URL()), testConfig()))
	if rec := hit(e, http.MethodPost, "/upload", "203.0.113.9", ""); rec.Code != 200 {
		t.Fatalf("with Redis up: %d", rec.Code)
	}
	srv.Stop()
	rec := hit(e, http.MethodPost, "/upload", "203.0.113.9", "")
	body := decodeError(t, rec)
	if rec.Code != http.StatusServiceUnavailable || body.Error.Code != "unavailable" || body.Error.Message == "" {
		t.Fatalf("with Redis down: %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), "127.0.0.1") || strings.Contains(rec.Body.String(), "dial") {
		t.Fatalf("503 body leaks internals: %s", rec.Body)
	}
	if rec.Header().Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}
	srv.Start()
	deadline := time.Now().Add(3 * time.Second)
	for hit(e, http.MethodPost, "/upload", "203.0.113.9", "").Code != 200 {
		if time.Now().After(deadline) {
			t.Fatal("still failing after Redis came back")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDisabledLimiterPassesEverything(t *testing.T) {
	cfg := testConfig()
	cfg.Enabled = false
	l := newLimiter(t, newPool(t, backends[0].start(t)), cfg)
	e := newEcho(l)
	for range 5 {
		rec := hit(e, http.MethodPost, "/upload", "203.0.113.1", "")
		if rec.Code != 200 || rec.Header().Get("X-RateLimit-Limit") != "" {
			t.Fatalf("disabled limiter: %d %v", rec.Code, rec.Header())
		}
	}
	if res, err := l.Allow(context.Background(), ratelimit.BucketUpload, "x"); err != nil || res.Reached {
		t.Fatalf("disabled Allow: %+v %v", res, err)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
