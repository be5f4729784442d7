package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/redisx"
	"github.com/simvid/simvid/pkg/redisx/redistest"
)

func testPool(t *testing.T) *redis.Pool {
	t.Helper()
	pool, err := redisx.NewPool(redistest.Start(t), 8)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	return pool
}

// A lease is exclusive, lapses without renewal, and a renewal after someone else took it
// reports the loss instead of stealing it back.
func TestLeaseExclusiveAndLapses(t *testing.T) {
	pool := testPool(t)
	ctx := context.Background()
	a, ok, err := acquireLease(ctx, pool, "simvid:lease:test:1", "a", 300*time.Millisecond)
	if err != nil || !ok {
		t.Fatalf("first acquire: %v %v", ok, err)
	}
	if _, ok, _ := acquireLease(ctx, pool, "simvid:lease:test:1", "b", time.Second); ok {
		t.Fatal("second worker got a held lease")
	}
	if err := a.renew(ctx); err != nil {
		t.Fatalf("renew: %v", err)
	}
	time.Sleep(450 * time.Millisecond)
	b, ok, err := acquireLease(ctx, pool, "simvid:lease:test:1", "b", time.Second)
	if err != nil || !ok {
		t.Fatalf("lease did not lapse: %v %v", ok, err)
	}
	if err := a.renew(ctx); err != errLeaseLost {
		t.Fatalf("renew after loss = %v, want errLeaseLost", err)
	}
	a.release() // must not release b's lease
	if _, ok, _ := acquireLease(ctx, pool, "simvid:lease:test:1", "c", time.Second); ok {
		t.Fatal("a's release freed b's lease")
	}
	b.release()
	if _, ok, _ := acquireLease(ctx, pool, "simvid:lease:test:1", "c", time.Second); !ok {
		t.Fatal("b's release did not free the lease")
	}
}

// keepAlive holds a lease far past its TTL; losing it calls lost.
func TestLeaseKeepAlive(t *testing.T) {
	pool := testPool(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, _, _ := acquireLease(ctx, pool, "simvid:lease:test:2", "a", 300*time.Millisecond)
	lost := make(chan struct{})
	go l.keepAlive(ctx, func() { close(lost) })
	time.Sleep(time.Second)
	if _, ok, _ := acquireLease(ctx, pool, "simvid:lease:test:2", "b", time.Second); ok {
		t.Fatal("a kept-alive lease lapsed")
	}
	conn := pool.Get()
	_, _ = conn.Do("SET", "simvid:lease:test:2", "someone-else")
	conn.Close()
	select {
	case <-lost:
	case <-time.After(time.Second):
		t.Fatal("lost was not called after the lease was taken")
	}
}

func TestTryLockOnePerPeriod(t *testing.T) {
	pool := testPool(t)
	ctx := context.Background()
	if ok, err := tryLock(ctx, pool, "x", 200*time.Millisecond); !ok || err != nil {
		t.Fatalf("first lock: %v %v", ok, err)
	}
	if ok, _ := tryLock(ctx, pool, "x", 200*time.Millisecond); ok {
		t.Fatal("two holders in one period")
	}
	time.Sleep(300 * time.Millisecond)
	if ok, _ := tryLock(ctx, pool, "x", 200*time.Millisecond); !ok {
		t.Fatal("lock did not expire")
	}
}
