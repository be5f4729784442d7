package redisx_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gocraft/work"
	"github.com/gomodule/redigo/redis"
)

// jobCtx is gocraft/work's per-job context type; it must be a struct.
type jobCtx struct{}

// TestGocraftWorkRunsJobs proves gocraft/work v0.5.1 works on each backend through every Lua
// script a normal run touches: fetch (rpoplpush under locks), the requeuer moving retried
// and scheduled jobs (zrangebyscore + cjson), the dead set, and EnqueueUnique (SET NX EX).
func TestGocraftWorkRunsJobs(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			pool := newPool(t, b.start(t), 16)
			const ns = "simvid-test"
			var mu sync.Mutex
			ran := map[string][]string{} // job name -> args seen, in order
			attempts := 0
			record := func(j *work.Job) {
				mu.Lock()
				defer mu.Unlock()
				ran[j.Name] = append(ran[j.Name], j.ArgString("id"))
			}
			done := make(chan string, 10)

			wp := work.NewWorkerPool(jobCtx{}, 2, ns, pool)
			wp.Job("plain", func(j *work.Job) error { record(j); done <- "plain"; return nil })
			wp.JobWithOptions("flaky", work.JobOptions{MaxFails: 3, Backoff: func(*work.Job) int64 { return 0 }},
				func(j *work.Job) error {
					record(j)
					mu.Lock()
					attempts++
					first := attempts == 1
					mu.Unlock()
					if first {
						return errors.New("first attempt fails")
					}
					done <- "flaky"
					return nil
				})
			wp.JobWithOptions("doomed", work.JobOptions{MaxFails: 1, Backoff: func(*work.Job) int64 { return 0 }},
				func(j *work.Job) error { record(j); done <- "doomed"; return errors.New("always fails") })
			wp.Job("later", func(j *work.Job) error { record(j); done <- "later"; return nil })
			wp.Start()
			defer wp.Stop()

			enq := work.NewEnqueuer(ns, pool)
			if _, err := enq.Enqueue("plain", work.Q{"id": "p1"}); err != nil {
				t.Fatal(err)
			}
			if _, err := enq.Enqueue("flaky", work.Q{"id": "f1"}); err != nil {
				t.Fatal(err)
			}
			if _, err := enq.Enqueue("doomed", work.Q{"id": "d1"}); err != nil {
				t.Fatal(err)
			}
			if _, err := enq.EnqueueIn("later", 1, work.Q{"id": "l1"}); err != nil {
				t.Fatal(err)
			}
			// EnqueueUnique is not exercised: its key goes once the job runs, so it cannot
			// dedupe; simvid dedupes on its own ids (leases and queued markers).

			want := map[string]int{"plain": 1, "flaky": 1, "doomed": 1, "later": 1}
			timeout := time.After(10 * time.Second)
			for got := map[string]int{}; !equalCounts(got, want); {
				select {
				case name := <-done:
					got[name]++
				case <-timeout:
					mu.Lock()
					defer mu.Unlock()
					t.Fatalf("jobs finished %v, want %v; runs %v", got, want, ran)
				}
			}
			mu.Lock()
			if len(ran["flaky"]) != 2 {
				t.Errorf("flaky ran %d times, want 2 (one failure, one retry)", len(ran["flaky"]))
			}
			mu.Unlock()

			// The doomed job lands in the dead set once its single failure is recorded.
			client := work.NewClient(ns, pool)
			deadline := time.Now().Add(3 * time.Second)
			for {
				dead, n, err := client.DeadJobs(1)
				if err != nil {
					t.Fatal(err)
				}
				if n == 1 && dead[0].Name == "doomed" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("dead set has %d jobs, want the doomed one", n)
				}
				time.Sleep(20 * time.Millisecond)
			}
			c := pool.Get()
			defer c.Close()
			if n, err := redis.Int(c.Do("LLEN", "simvid-test:jobs:plain")); err != nil || n != 0 {
				t.Errorf("plain queue still holds %d jobs (%v)", n, err)
			}
		})
	}
}

func equalCounts(got, want map[string]int) bool {
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return len(got) == len(want)
}
