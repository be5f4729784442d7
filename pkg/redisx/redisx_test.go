package redisx_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/redisx"
	"github.com/simvid/simvid/pkg/redisx/redistest"
)

func TestNormalizeURL(t *testing.T) {
	for _, tc := range []struct{ in, want, errPart string }{
		{in: "redis://localhost:6379/0", want: "redis://localhost:6379/0"},
		{in: "rediss://:pw@example.com:6380/2", want: "rediss://:pw@example.com:6380/2"},
		{in: " 127.0.0.1:6379 ", want: "redis://127.0.0.1:6379"},
		{in: "", errPart: "empty"},
		{in: "http://h:1", errPart: "scheme"},
		{in: "redis:///0", errPart: "no host"},
		{in: "redis://:s3cret@h:1/abc", errPart: "database"},
	} {
		got, err := redisx.NormalizeURL(tc.in)
		if tc.errPart != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errPart) {
				t.Errorf("NormalizeURL(%q) error = %v, want one mentioning %q", tc.in, err, tc.errPart)
			}
			if err != nil && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("NormalizeURL(%q) error leaks the password: %v", tc.in, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"redis://:s3cret@h:1/0":     "redis://:xxxxx@h:1/0",
		"redis://user:s3cret@h:1/0": "redis://user:xxxxx@h:1/0",
		"redis://s3cret@h:1":        "redis://xxxxx@h:1",
		"redis://h:1/0":             "redis://h:1/0",
	} {
		if got := redisx.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPoolPingAndDatabase(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			url := b.start(t)
			ctx := context.Background()
			p := newPool(t, url, 4)
			if err := redisx.Ping(ctx, p); err != nil {
				t.Fatal(err)
			}
			// The /3 in the URL selects database 3: a key set there is absent from db 0.
			p3 := newPool(t, strings.TrimSuffix(url, "/0")+"/3", 2)
			c3 := p3.Get()
			defer c3.Close()
			if _, err := c3.Do("SET", "k", "v"); err != nil {
				t.Fatal(err)
			}
			c0 := p.Get()
			defer c0.Close()
			if n, err := redis.Int(c0.Do("EXISTS", "k")); err != nil || n != 0 {
				t.Fatalf("key written through /3 visible in db 0: %d %v", n, err)
			}
			if v, err := redis.String(c3.Do("GET", "k")); err != nil || v != "v" {
				t.Fatalf("GET in db 3 = %q, %v", v, err)
			}
		})
	}
}

func TestEmbeddedKeysExpireOnWallClock(t *testing.T) {
	e, err := redisx.StartEmbedded("")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	p := newPool(t, e.URL(), 2)
	c := p.Get()
	defer c.Close()
	if _, err := c.Do("SET", "lease", "1", "PX", 150); err != nil {
		t.Fatal(err)
	}
	if n, _ := redis.Int(c.Do("EXISTS", "lease")); n != 1 {
		t.Fatal("key missing right after SET")
	}
	time.Sleep(250 * time.Millisecond)
	if n, _ := redis.Int(c.Do("EXISTS", "lease")); n != 0 {
		t.Fatal("key with a 150ms TTL still exists after 250ms: embedded Redis does not expire keys")
	}
	e.Close()
	e.Close() // idempotent
}

func TestPingFailsFastWhenRedisIsDown(t *testing.T) {
	srv := redistest.StartServer(t)
	p := newPool(t, srv.URL(), 2)
	ctx := context.Background()
	if err := redisx.Ping(ctx, p); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	start := time.Now()
	err := redisx.Ping(ctx, p)
	if err == nil {
		t.Fatal("Ping succeeded with redis-server stopped")
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("Ping took %v to fail", time.Since(start))
	}
	srv.Start()
	// A pooled connection to the dead server may fail once; the pool then redials.
	deadline := time.Now().Add(3 * time.Second)
	for redisx.Ping(ctx, p) != nil {
		if time.Now().After(deadline) {
			t.Fatal("Ping still fails after redis-server restarted")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestPingHonoursContext(t *testing.T) {
	e, err := redisx.StartEmbedded("")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	p := newPool(t, e.URL(), 1)
	held := p.Get() // the only connection: Ping must wait for it and give up with ctx
	defer held.Close()
	if _, err := held.Do("PING"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := redisx.Ping(ctx, p); err == nil {
		t.Fatal("Ping succeeded though the pool was exhausted")
	}
}
