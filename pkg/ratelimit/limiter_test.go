package ratelimit_test

import (
	"context"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/ratelimit"
	"github.com/simvid/simvid/pkg/simvid"
)

func TestAllowWithExtraBucket(t *testing.T) {
	cfg := testConfig()
	cfg.Extra = map[string]string{"login": "2-M"}
	l := newLimiter(t, newPool(t, backends[0].start(t)), cfg)
	ctx := context.Background()
	for i := range 3 {
		res, err := l.Allow(ctx, "login", "admin@203.0.113.1")
		if err != nil {
			t.Fatal(err)
		}
		if res.Reached != (i == 2) || res.Limit != 2 {
			t.Fatalf("login attempt %d: %+v", i+1, res)
		}
	}
	if res, _ := l.Allow(ctx, "login", "admin@203.0.113.2"); res.Reached {
		t.Fatal("another key shares the login counter")
	}
	if _, err := l.Allow(ctx, "nope", "k"); err == nil {
		t.Fatal("Allow on an unknown bucket did not fail")
	}
}

func TestEmptyRateMeansUnlimited(t *testing.T) {
	cfg := testConfig()
	cfg.Upload = ""
	e := newEcho(newLimiter(t, newPool(t, backends[0].start(t)), cfg))
	for range 5 {
		if rec := hit(e, "POST", "/upload", "203.0.113.1", ""); rec.Code != 200 || rec.Header().Get("X-RateLimit-Limit") != "" {
			t.Fatalf("%d %v", rec.Code, rec.Header())
		}
	}
}

func TestNewRejectsBadRates(t *testing.T) {
	pool := newPool(t, backends[0].start(t))
	for _, tc := range []struct {
		mutate func(*ratelimit.Config)
		field  string
	}{
		{func(c *ratelimit.Config) { c.Upload = "20/H" }, "upload"},
		{func(c *ratelimit.Config) { c.Render = "x-H" }, "render"},
		{func(c *ratelimit.Config) { c.OtherDaily = "5-W" }, "other daily"},
		{func(c *ratelimit.Config) { c.Read = "0-H" }, "read"},
		{func(c *ratelimit.Config) { c.Extra = map[string]string{"login": "many"} }, "login"},
	} {
		cfg := ratelimit.DefaultConfig()
		tc.mutate(&cfg)
		_, err := ratelimit.New(pool, cfg, nil)
		if !simvid.IsCode(err, simvid.EInvalid) || !strings.Contains(simvid.ErrorMessage(err), "rate limit for "+tc.field) {
			t.Errorf("field %s: error %v", tc.field, err)
		}
	}
}

func TestMiddlewareUnknownBucketPanics(t *testing.T) {
	l := newLimiter(t, newPool(t, backends[0].start(t)), testConfig())
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for an unknown bucket")
		}
	}()
	l.Middleware("uplaod")
}
