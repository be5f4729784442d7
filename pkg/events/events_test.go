package events_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"
	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/events"
	"github.com/simvid/simvid/pkg/redisx"
	"github.com/simvid/simvid/pkg/redisx/redistest"
	"github.com/simvid/simvid/pkg/simvid"
)

// records is the database of the test: the truth the hub re-reads, counting each read.
type records struct {
	mu    sync.Mutex
	m     map[string]*simvid.Render
	reads atomic.Int64
}

func (d *records) set(r *simvid.Render) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.m[r.ID] = r
}

func (d *records) get(_ context.Context, id string) (*simvid.Render, error) {
	d.reads.Add(1)
	d.mu.Lock()
	defer d.mu.Unlock()
	r := *d.m[id]
	return &r, nil
}

// Changes published on Redis reach every listener of the render; a change that was never
// published still reaches them by the hub's re-read, made once per render for all of its
// listeners rather than once per listener.
func TestHubPublishAndRecheck(t *testing.T) {
	url := redistest.Start(t)
	pool, err := redisx.NewPool(url, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	db := &records{m: map[string]*simvid.Render{}}
	start := time.Now().UTC()
	ids := []string{"render_a", "render_b"}
	for _, id := range ids {
		db.set(&simvid.Render{ID: id, State: simvid.StateRendering, Progress: 1, UpdatedAt: start})
	}
	hub := events.NewHub(func() (redis.Conn, error) { return redisx.DialPubSub(context.Background(), url) }, db.get, zaptest.NewLogger(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go hub.Run(ctx)
	select {
	case <-hub.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("the hub did not subscribe within 10 s")
	}

	const perRender = 50
	var chans []<-chan *simvid.Render
	var of []string
	for _, id := range ids {
		for range perRender {
			ch, unsub := hub.Subscribe(id)
			defer unsub()
			chans, of = append(chans, ch), append(of, id)
		}
	}
	// wait returns the first record a listener gets that satisfies ok.
	wait := func(i int, ok func(*simvid.Render) bool) *simvid.Render {
		t.Helper()
		deadline := time.After(4 * events.RecheckEvery)
		for {
			select {
			case r := <-chans[i]:
				if r.ID != of[i] {
					t.Fatalf("listener of %s got %s", of[i], r.ID)
				}
				if ok(r) {
					return r
				}
			case <-deadline:
				t.Fatalf("listener %d of %s: no such record within %s", i, of[i], 4*events.RecheckEvery)
			}
		}
	}

	published := &simvid.Render{ID: "render_a", State: simvid.StateRendering, Progress: 40, UpdatedAt: start.Add(time.Second)}
	db.set(published)
	if err := events.Publish(ctx, pool, published); err != nil {
		t.Fatal(err)
	}
	for i := range chans[:perRender] {
		wait(i, func(r *simvid.Render) bool { return r.Progress == 40 })
	}

	// Finished without a word on Redis, as when a worker's publish fails.
	readsBefore := db.reads.Load()
	for _, id := range ids {
		db.set(&simvid.Render{ID: id, State: simvid.StateDone, Progress: 100, UpdatedAt: start.Add(2 * time.Second)})
	}
	for i := range chans {
		wait(i, func(r *simvid.Render) bool { return r.State == simvid.StateDone })
	}
	reads := db.reads.Load() - readsBefore
	t.Logf("%d listeners on %d renders got the unpublished change after %d re-reads", len(chans), len(ids), reads)
	if reads >= int64(len(chans)) {
		t.Errorf("%d re-reads for %d listeners of %d renders: the hub reads per listener, not per render", reads, len(chans), len(ids))
	}
}
