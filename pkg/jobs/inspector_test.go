package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/gocraft/work"
	"github.com/gomodule/redigo/redis"
)

// putJob writes a job into a set of the video queue as gocraft/work leaves it there.
func putJob(t *testing.T, pool *redis.Pool, set Set, at int64, id, renderID string) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"name": JobRender, "id": id, "t": at - 60, "fails": 3,
		"err": "boom " + id, "args": map[string]any{"render_id": renderID, "v": PayloadVersion}})
	conn := pool.Get()
	defer conn.Close()
	if _, err := conn.Do("ZADD", Namespace(QueueVideo)+":"+string(set), at, b); err != nil {
		t.Fatal(err)
	}
}

func mustSize(t *testing.T, in *Inspector, set Set, want int64) []JobInfo {
	t.Helper()
	js, n, err := in.Jobs(QueueVideo, set, 1)
	if err != nil || n != want || int64(len(js)) != want {
		t.Fatalf("%s: %d jobs (%d listed), err %v; want %d", set, n, len(js), err, want)
	}
	return js
}

// The Inspector lists the retry, scheduled and dead sets in plain types, retries a dead job
// into its queue even on a Redis no worker pool has registered its job names in, deletes
// one job or a whole dead set, and says when the job named is gone.
func TestInspectorJobSets(t *testing.T) {
	pool := testPool(t)
	ctx := context.Background()
	in := NewInspector(pool)
	died := time.Now().Unix() - 100 // in the past, as every dead job is
	putJob(t, pool, SetDead, died, "dead-a", "ren_a")
	putJob(t, pool, SetDead, died+1, "dead-b", "ren_b")
	putJob(t, pool, SetDead, died+2, "dead-c", "ren_c")
	putJob(t, pool, SetRetry, died+30, "retry-a", "ren_d")
	putJob(t, pool, SetScheduled, died+60, "sched-a", "ren_e")

	dead := mustSize(t, in, SetDead, 3)
	if j := dead[0]; j.ID != "dead-a" || j.Name != JobRender || j.At != died || j.Fails != 3 ||
		j.Error != "boom dead-a" || j.Args["render_id"] != "ren_a" || j.EnqueuedAt != died-60 {
		t.Fatalf("dead job = %+v", j)
	}
	if r := mustSize(t, in, SetRetry, 1); r[0].ID != "retry-a" || r[0].At != died+30 {
		t.Fatalf("retry job = %+v", r[0])
	}
	if s := mustSize(t, in, SetScheduled, 1); s[0].ID != "sched-a" || s[0].At != died+60 {
		t.Fatalf("scheduled job = %+v", s[0])
	}

	// Retry one: it waits in the queue again (this Redis never saw a worker pool).
	if err := in.RetryDead(ctx, QueueVideo, died, "dead-a"); err != nil {
		t.Fatal(err)
	}
	if q, err := in.Queue(QueueVideo); err != nil || q.Size != 1 {
		t.Fatalf("queue after retry = %+v, %v; want 1 waiting", q, err)
	}
	mustSize(t, in, SetDead, 2)
	if err := in.RetryDead(ctx, QueueVideo, died, "dead-a"); !errors.Is(err, ErrJobGone) {
		t.Fatalf("retrying it again = %v, want ErrJobGone", err)
	}

	// Delete one of each set; a second delete finds nothing.
	for _, d := range []struct {
		set Set
		at  int64
		id  string
	}{{SetDead, died + 1, "dead-b"}, {SetRetry, died + 30, "retry-a"}, {SetScheduled, died + 60, "sched-a"}} {
		if err := in.Delete(QueueVideo, d.set, d.at, d.id); err != nil {
			t.Fatalf("delete %s: %v", d.id, err)
		}
		if err := in.Delete(QueueVideo, d.set, d.at, d.id); !errors.Is(err, ErrJobGone) {
			t.Fatalf("delete %s again = %v, want ErrJobGone", d.id, err)
		}
	}
	mustSize(t, in, SetDead, 1)
	mustSize(t, in, SetRetry, 0)
	mustSize(t, in, SetScheduled, 0)

	if err := in.RetryAllDead(ctx, QueueVideo); err != nil {
		t.Fatal(err)
	}
	mustSize(t, in, SetDead, 0)
	if q, _ := in.Queue(QueueVideo); q.Size != 2 {
		t.Fatalf("queue after retry all = %+v, want 2 waiting", q)
	}
	putJob(t, pool, SetDead, died, "dead-d", "ren_f")
	if err := in.DeleteAllDead(QueueVideo); err != nil {
		t.Fatal(err)
	}
	mustSize(t, in, SetDead, 0)

	if _, err := in.Queue("nope"); !errors.Is(err, ErrUnknownQueue) {
		t.Fatalf("unknown queue = %v", err)
	}
	if err := in.RetryDead(ctx, "nope", died, "x"); !errors.Is(err, ErrUnknownQueue) {
		t.Fatalf("retry in unknown queue = %v", err)
	}
}

// Queue, WorkerPools and Active see what a real gocraft/work pool does: the waiting job's
// age, the pool's heartbeat and the job one of its workers is running.
func TestInspectorQueueAndWorkers(t *testing.T) {
	capGocraftIdlePoll()
	pool := testPool(t)
	ctx := context.Background()
	in := NewInspector(pool)
	if err := NewClient(pool, time.Minute).EnqueueRender(ctx, "ren_waiting"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	q, err := in.Queue(QueueVideo)
	if err != nil || q.Size != 1 || q.Latency < time.Second {
		t.Fatalf("queue = %+v, %v; want 1 job waiting at least 1s", q, err)
	}

	started, release := make(chan struct{}), make(chan struct{})
	wp := work.NewWorkerPool(struct{}{}, 2, Namespace(QueueVideo), pool)
	wp.Job(JobRender, func(*work.Job) error { close(started); <-release; return nil })
	wp.Start()
	defer wp.Stop()
	defer close(release)
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the pool did not start the job")
	}

	deadline := time.Now().Add(10 * time.Second)
	var pools []WorkerPool
	var active []ActiveJob
	for time.Now().Before(deadline) {
		pools, _ = in.WorkerPools(QueueVideo)
		active, _ = in.Active(QueueVideo)
		if len(pools) == 1 && len(active) == 1 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(pools) != 1 || pools[0].Concurrency != 2 || len(pools[0].Jobs) != 1 || pools[0].Jobs[0] != JobRender || pools[0].PID == 0 {
		t.Fatalf("pools = %+v", pools)
	}
	if len(active) != 1 || active[0].Name != JobRender || active[0].ID == "" || active[0].StartedAt.IsZero() {
		t.Fatalf("active = %+v", active)
	}
	var args map[string]any
	if err := json.Unmarshal([]byte(active[0].Args), &args); err != nil || args["render_id"] != "ren_waiting" {
		t.Fatalf("active args = %q (%v)", active[0].Args, err)
	}
	if q, _ := in.Queue(QueueVideo); q.Size != 0 {
		t.Fatalf("queue while running = %+v, want empty", q)
	}
}

// Lock is exclusive with the workers' leader locks, and unlock frees only a lock still ours.
func TestInspectorLock(t *testing.T) {
	pool := testPool(t)
	ctx := context.Background()
	in := NewInspector(pool)
	unlock, ok, err := in.Lock(ctx, "cleanup", 300*time.Millisecond)
	if err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	if _, ok, _ := in.Lock(ctx, "cleanup", time.Second); ok {
		t.Fatal("a held lock was taken twice")
	}
	if ok, _ := tryLock(ctx, pool, "cleanup", time.Second); ok {
		t.Fatal("a worker's leader lock took the inspector's")
	}
	unlock()
	if _, ok, _ := in.Lock(ctx, "cleanup", time.Second); !ok {
		t.Fatal("unlock did not free the lock")
	}

	// A lock that lapsed and was taken by another stays theirs after the first unlocks.
	unlock, _, _ = in.Lock(ctx, "other", 100*time.Millisecond)
	time.Sleep(200 * time.Millisecond)
	if ok, _ := tryLock(ctx, pool, "other", time.Second); !ok {
		t.Fatal("the lapsed lock was not free")
	}
	unlock()
	if _, ok, _ := in.Lock(ctx, "other", time.Second); ok {
		t.Fatal("a late unlock freed someone else's lock")
	}
}
