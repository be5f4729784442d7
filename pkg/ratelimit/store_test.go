package ratelimit_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"
	"github.com/ulule/limiter/v3"

	"github.com/simvid/simvid/pkg/ratelimit"
)

func TestStoreCountsPeeksAndResets(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			pool := newPool(t, b.start(t))
			s := ratelimit.NewStore(pool, "")
			ctx := context.Background()
			rate := limiter.Rate{Period: time.Minute, Limit: 3}
			for i := int64(1); i <= 5; i++ {
				peek, err := s.Peek(ctx, "k", rate)
				if err != nil {
					t.Fatal(err)
				}
				if want := max(3-(i-1), 0); peek.Remaining != want {
					t.Fatalf("peek before hit %d: remaining %d, want %d", i, peek.Remaining, want)
				}
				got, err := s.Get(ctx, "k", rate)
				if err != nil {
					t.Fatal(err)
				}
				if got.Limit != 3 || got.Remaining != max(3-i, 0) || got.Reached != (i > 3) {
					t.Fatalf("hit %d: %+v", i, got)
				}
				if d := got.Reset - time.Now().Unix(); d < 58 || d > 60 {
					t.Fatalf("hit %d: reset in %ds, want about 60", i, d)
				}
			}
			c := pool.Get()
			defer c.Close()
			ttl, err := redis.Int64(c.Do("PTTL", "simvid:rl:k"))
			if err != nil || ttl <= 0 || ttl > 60000 {
				t.Fatalf("key simvid:rl:k has PTTL %d (%v), want a window of at most 60s", ttl, err)
			}
			got, err := s.Increment(ctx, "k2", 7, limiter.Rate{Period: time.Hour, Limit: 10})
			if err != nil || got.Remaining != 3 || got.Reached {
				t.Fatalf("Increment by 7 of 10: %+v %v", got, err)
			}
			if _, err := s.Reset(ctx, "k", rate); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Get(ctx, "k", rate); got.Remaining != 2 {
				t.Fatalf("after Reset the first hit leaves %d, want 2", got.Remaining)
			}
			custom := ratelimit.NewStore(pool, "other:")
			if _, err := custom.Get(ctx, "z", rate); err != nil {
				t.Fatal(err)
			}
			if n, _ := redis.Int(c.Do("EXISTS", "other:z")); n != 1 {
				t.Fatal("the configured prefix is not used")
			}
		})
	}
}

func TestStoreWindowExpires(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := ratelimit.NewStore(newPool(t, b.start(t)), "")
			ctx := context.Background()
			rate := limiter.Rate{Period: 500 * time.Millisecond, Limit: 3}
			for range 3 {
				if got, err := s.Get(ctx, "w", rate); err != nil || got.Reached {
					t.Fatalf("%+v %v", got, err)
				}
			}
			if got, _ := s.Get(ctx, "w", rate); !got.Reached {
				t.Fatal("4th hit of 3 allowed")
			}
			time.Sleep(600 * time.Millisecond)
			got, err := s.Get(ctx, "w", rate)
			if err != nil || got.Reached || got.Remaining != 2 {
				t.Fatalf("after the window: %+v %v; want a fresh window", got, err)
			}
		})
	}
}

// Many concurrent hits, as from several serve instances, are each counted exactly once.
func TestStoreIsAtomicUnderConcurrency(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			url := b.start(t)
			stores := []*ratelimit.Store{
				ratelimit.NewStore(newPool(t, url), ""), ratelimit.NewStore(newPool(t, url), ""),
			}
			rate := limiter.Rate{Period: time.Minute, Limit: 40}
			var wg sync.WaitGroup
			var mu sync.Mutex
			allowed := 0
			for g := range 10 {
				wg.Go(func() {
					for range 6 {
						got, err := stores[g%2].Get(context.Background(), "c", rate)
						if err != nil {
							t.Error(err)
							return
						}
						if !got.Reached {
							mu.Lock()
							allowed++
							mu.Unlock()
						}
					}
				})
			}
			wg.Wait()
			if allowed != 40 {
				t.Fatalf("%d of 60 hits allowed under a limit of 40", allowed)
			}
		})
	}
}
