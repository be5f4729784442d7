package events_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"
	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/events"
	"github.com/simvid/simvid/pkg/redisx"
	"github.com/simvid/simvid/pkg/redisx/redistest"
	"github.com/simvid/simvid/pkg/simvid"
)

// startHub runs a hub on url reading db until the test ends, once subscribed.
func startHub(t *testing.T, url string, db *records) *events.Hub {
	t.Helper()
	hub := events.NewHub(func() (redis.Conn, error) { return redisx.DialPubSub(context.Background(), url) }, db.get, zaptest.NewLogger(t))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); hub.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-hub.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("the hub did not subscribe within 10 s")
	}
	return hub
}

// Two hubs share a real redis-server, as two serve instances do. A status is read from the
// database once, then answered from the changes published: a change published by another
// instance (a worker's finish, a cancel) is on the very next read, with no database read.
// When the subscription drops, the cache is forgotten (changes published meanwhile are
// never heard), and a deleted project's renders are not answered from it.
func TestHubStatusAcrossInstances(t *testing.T) {
	srv := redistest.StartServer(t)
	pool, err := redisx.NewPool(srv.URL(), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	db := &records{m: map[string]*simvid.Render{}}
	start := time.Now().UTC()
	db.set(&simvid.Render{ID: "render_a", ProjectID: "project_a", State: simvid.StateRendering, Progress: 10, UpdatedAt: start})
	db.set(&simvid.Render{ID: "render_b", ProjectID: "project_b", State: simvid.StateQueued, UpdatedAt: start})
	startHub(t, srv.URL(), db) // the other instance: its subscription must not disturb this one's
	hub := startHub(t, srv.URL(), db)
	ctx := context.Background()

	status := func(id string) (*simvid.Render, int64) {
		t.Helper()
		before := db.reads.Load()
		r, err := hub.Render(ctx, id)
		if err != nil {
			t.Fatalf("status of %s: %v", id, err)
		}
		return r, db.reads.Load() - before
	}
	// change writes the database, then publishes, as a worker or another instance does.
	change := func(r *simvid.Render) {
		t.Helper()
		db.set(r)
		if err := events.Publish(ctx, pool, r); err != nil {
			t.Fatal(err)
		}
	}

	if r, reads := status("render_a"); reads != 1 || r.Progress != 10 {
		t.Fatalf("first status: progress %v after %d reads; want 10 after 1", r.Progress, reads)
	}
	if _, reads := status("render_a"); reads != 0 {
		t.Errorf("second status read the database %d times; want it from the cache", reads)
	}
	if pid, ok := hub.Begin("render_a").ProjectID(); !ok || pid != "project_a" {
		t.Errorf("a cached render's project before its status is vouched for: %q %v", pid, ok)
	}
	if _, ok := hub.Begin("render_b").ProjectID(); ok {
		t.Error("an uncached render has a project before it is read")
	}
	change(&simvid.Render{ID: "render_a", ProjectID: "project_a", State: simvid.StateRendering, Progress: 60, UpdatedAt: start.Add(time.Second)})
	if r, reads := status("render_a"); r.Progress != 60 || reads != 0 {
		t.Errorf("status after a published change: progress %v after %d reads; want 60 from the change", r.Progress, reads)
	}
	change(&simvid.Render{ID: "render_a", ProjectID: "project_a", State: simvid.StateDone, Progress: 100, UpdatedAt: start.Add(2 * time.Second)})
	if r, _ := status("render_a"); r.State != simvid.StateDone {
		t.Errorf("the poll right after the finish was published shows %s", r.State)
	}

	// A burst of polls of a cached render: each sees the change published before it, and
	// none reads the database.
	status("render_b")
	change(&simvid.Render{ID: "render_b", ProjectID: "project_b", State: simvid.StateCanceled, UpdatedAt: start.Add(time.Second)})
	before := db.reads.Load()
	var wg sync.WaitGroup
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := hub.Render(ctx, "render_b")
			if err != nil {
				t.Errorf("a poll after the cancel: %v", err)
			} else if r.State != simvid.StateCanceled {
				t.Errorf("a poll after the cancel shows %s", r.State)
			}
		}()
	}
	wg.Wait()
	if n := db.reads.Load() - before; n != 0 {
		t.Errorf("200 polls of a cached render read the database %d times", n)
	}

	// The subscription is cut: what was cached may have missed a change, so it is read
	// again; a change published while the hub is away is seen all the same.
	conn, err := redis.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if n, err := redis.Int(conn.Do("CLIENT", "KILL", "TYPE", "pubsub")); err != nil || n != 2 {
		t.Fatalf("CLIENT KILL TYPE pubsub: %d, %v; want the 2 hubs' subscriptions", n, err)
	}
	change(&simvid.Render{ID: "render_a", ProjectID: "project_a", State: simvid.StateQueued, Message: "retried", UpdatedAt: start.Add(3 * time.Second)})
	if r, reads := status("render_a"); reads != 1 || r.Message != "retried" {
		t.Errorf("status after the subscription was cut: %q after %d reads; want the database's record", r.Message, reads)
	}
	t.Logf("subscription cut: the next status was read from the database")

	// Subscribed again, the cache serves again.
	deadline := time.Now().Add(10 * time.Second)
	for {
		status("render_a")
		if _, reads := status("render_a"); reads == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the hub answered no status from its cache within 10 s of its subscription being cut")
		}
		time.Sleep(50 * time.Millisecond)
	}

	if err := events.PublishProjectGone(ctx, pool, "project_a"); err != nil {
		t.Fatal(err)
	}
	if _, reads := status("render_a"); reads != 1 {
		t.Errorf("status of a render of a deleted project: %d database reads; want 1 (not from the cache)", reads)
	}
}
