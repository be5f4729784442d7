package admin

import (
	"context"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/redisx"
	"github.com/simvid/simvid/pkg/redisx/redistest"
)

func TestSessions(t *testing.T) {
	pool, err := redisx.NewPool(redistest.Start(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ctx := context.Background()
	s := &sessions{pool: pool, ttl: 800 * time.Millisecond}
	a, err := s.create(ctx, "203.0.113.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.id) != 43 || len(a.CSRF) != 43 || a.id == a.CSRF {
		t.Fatalf("ids: %q %q", a.id, a.CSRF)
	}
	// Redis holds a hash of the id, never the id itself.
	conn := pool.Get()
	defer conn.Close()
	if n, _ := redis.Int(conn.Do("EXISTS", sessionPrefix+a.id)); n != 0 {
		t.Fatal("the session id is a Redis key")
	}
	// Sliding: each use extends it past the first TTL.
	for range 3 {
		time.Sleep(400 * time.Millisecond)
		got, err := s.get(ctx, a.id)
		if err != nil || got == nil || got.CSRF != a.CSRF || got.IP != "203.0.113.1" {
			t.Fatalf("get while in use: %+v %v", got, err)
		}
	}
	time.Sleep(time.Second)
	if got, _ := s.get(ctx, a.id); got != nil {
		t.Fatal("the session outlived its TTL unused")
	}
	for _, bad := range []string{"", "x", a.CSRF} {
		if got, _ := s.get(ctx, bad); got != nil {
			t.Fatalf("get(%q) found a session", bad)
		}
	}
	b, _ := s.create(ctx, "ip", "")
	c, _ := s.create(ctx, "ip", "")
	if err := s.end(ctx, b.id); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.get(ctx, b.id); got != nil {
		t.Fatal("an ended session still works")
	}
	if n, err := s.endAll(ctx); err != nil || n != 1 {
		t.Fatalf("endAll: %d %v", n, err)
	}
	if got, _ := s.get(ctx, c.id); got != nil {
		t.Fatal("a revoked session still works")
	}
}
