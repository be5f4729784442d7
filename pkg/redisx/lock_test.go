package redisx_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/redisx"
	"github.com/simvid/simvid/pkg/redisx/redistest"
)

// Lock on a real Redis: holders never overlap, a waiter gives up after its wait with
// ErrLockBusy, and a lock whose holder never releases it ends after its TTL.
func TestLock(t *testing.T) {
	pool, err := redisx.NewPool(redistest.Start(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ctx := context.Background()

	var inside, overlaps atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock, err := redisx.Lock(ctx, pool, "simvid:test:lock", 5*time.Second, 5*time.Second)
			if err != nil {
				t.Error(err)
				return
			}
			if inside.Add(1) > 1 {
				overlaps.Add(1)
			}
			time.Sleep(10 * time.Millisecond)
			inside.Add(-1)
			unlock()
		}()
	}
	wg.Wait()
	if n := overlaps.Load(); n != 0 {
		t.Fatalf("%d holders overlapped", n)
	}

	if _, err := redisx.Lock(ctx, pool, "simvid:test:held", 300*time.Millisecond, time.Second); err != nil {
		t.Fatal(err)
	} // never released: it lapses after 300 ms
	if _, err := redisx.Lock(ctx, pool, "simvid:test:held", time.Second, 50*time.Millisecond); !errors.Is(err, redisx.ErrLockBusy) {
		t.Fatalf("second holder within the TTL: %v, want ErrLockBusy", err)
	}
	start := time.Now()
	unlock, err := redisx.Lock(ctx, pool, "simvid:test:held", time.Second, 2*time.Second)
	if err != nil {
		t.Fatalf("after the TTL: %v", err)
	}
	unlock()
	t.Logf("the unreleased lock lapsed; taken again after %v", time.Since(start).Round(time.Millisecond))
}
