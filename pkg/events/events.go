// Package events carries render changes from workers to every serve instance through one
// Redis channel, fans them out in each process to the streams that follow a render, and keeps
// from them each process's cache of render statuses.
package events

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/gomodule/redigo/redis"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/simvid"
)

// Channel is the Redis channel every render change is published on.
const Channel = "simvid:events:renders"

// Publish announces a render's new state to every serve instance.
func Publish(ctx context.Context, pool *redis.Pool, r *simvid.Render) error {
	return publish(ctx, pool, r)
}

// PublishProjectGone tells every serve instance that a project and its renders were deleted,
// so none answers a cached status of them.
func PublishProjectGone(ctx context.Context, pool *redis.Pool, projectID string) error {
	return publish(ctx, pool, struct {
		ProjectGone string `json:"project_gone"`
	}{projectID})
}

func publish(ctx context.Context, pool *redis.Pool, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("events: encode: %w", err)
	}
	conn, err := pool.GetContext(ctx)
	if err != nil {
		return fmt.Errorf("events: redis: %w", err)
	}
	defer conn.Close()
	if _, err := conn.Do("PUBLISH", Channel, b); err != nil {
		return fmt.Errorf("events: publish: %w", err)
	}
	return nil
}

// message is what travels on Channel: a render's record, or the deletion of a project
// (PublishProjectGone). A release that knows no deletions reads one as a render without an
// id, which no stream follows.
type message struct {
	simvid.Render
	ProjectGone string `json:"project_gone,omitempty"`
}

// RecheckEvery is how often a hub re-reads each render its listeners follow, in case a
// change was published while its subscription was down or a worker's publish failed.
const RecheckEvery = 3 * time.Second

// Hub holds one Redis subscription for the whole process and hands each render's changes to
// the local listeners of that render, so a thousand open streams cost one Redis connection;
// and it re-reads each followed render once per RecheckEvery for all of them, so they cost
// one database read per render rather than one per stream. It also answers status reads
// (Begin, Render) from the changes it receives, so a poll costs no database read.
type Hub struct {
	dial   func() (redis.Conn, error)
	reread func(ctx context.Context, renderID string) (*simvid.Render, error)
	log    *zap.Logger

	mu    sync.Mutex
	subs  map[string]map[chan *simvid.Render]struct{}
	ready chan struct{}
	once  sync.Once

	cache   *statusCache
	barrier barrier
}

// NewHub returns a hub that subscribes over connections from dial (no read timeout) and
// re-reads followed renders with reread (the database, which is the truth).
func NewHub(dial func() (redis.Conn, error), reread func(ctx context.Context, renderID string) (*simvid.Render, error), log *zap.Logger) *Hub {
	return &Hub{dial: dial, reread: reread, log: log, subs: map[string]map[chan *simvid.Render]struct{}{}, ready: make(chan struct{}),
		cache: newStatusCache(cacheMax)}
}

// Observe takes in a change this process made itself, before it is published: its own
// next poll then shows it whatever Redis's delivery (the embedded Redis of `simvid all`
// writes a message to a subscriber from a goroutine of its own, so a PING right after the
// PUBLISH may be answered first).
func (h *Hub) Observe(r *simvid.Render) { h.cache.put(r, h.cache.current(), time.Now()) }

// Forget drops the cached renders of a project this process deleted.
func (h *Hub) Forget(projectID string) { h.cache.forgetProject(projectID) }

// Cached returns the cached record of a render, if it may be trusted, without waiting for the
// subscription: for a stream, which gets any later change from its listener anyway.
func (h *Hub) Cached(renderID string) (*simvid.Render, bool) {
	return h.cache.get(renderID, time.Now())
}

// Ready is closed once the first subscription is confirmed.
func (h *Hub) Ready() <-chan struct{} { return h.ready }

// Subscribe returns a channel of the changes of one render, and of its record as re-read
// every RecheckEvery (possibly unchanged, possibly older than a change already received:
// listeners compare UpdatedAt). Slow listeners miss intermediate changes rather than block
// the hub: a full channel drops its oldest record for the newest.
func (h *Hub) Subscribe(renderID string) (<-chan *simvid.Render, func()) {
	ch := make(chan *simvid.Render, 8)
	h.mu.Lock()
	if h.subs[renderID] == nil {
		h.subs[renderID] = map[chan *simvid.Render]struct{}{}
	}
	h.subs[renderID][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[renderID], ch)
		if len(h.subs[renderID]) == 0 {
			delete(h.subs, renderID)
		}
		h.mu.Unlock()
	}
}

// Listeners returns how many streams are open in this process.
func (h *Hub) Listeners() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, m := range h.subs {
		n += len(m)
	}
	return n
}

// Run keeps the subscription alive until ctx ends, reconnecting with backoff, and re-reads
// the followed renders.
func (h *Hub) Run(ctx context.Context) {
	done := make(chan struct{})
	go func() { defer close(done); h.recheck(ctx) }()
	defer func() { <-done }()
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := h.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		h.log.Warn("events: subscription lost; retrying", zap.Error(err), zap.Duration("in", backoff))
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (h *Hub) listen(ctx context.Context) error {
	conn, err := h.dial()
	if err != nil {
		return err
	}
	psc := redis.PubSubConn{Conn: conn}
	defer psc.Close()
	if err := psc.Subscribe(Channel); err != nil {
		return err
	}
	// Whatever ends this subscription, the changes published until the next are never seen.
	defer h.cache.setLive(false)
	defer h.barrier.down()
	stop := context.AfterFunc(ctx, func() { h.barrier.write(func() { _ = psc.Unsubscribe() }) })
	defer stop()
	var epoch uint64
	for {
		switch m := psc.ReceiveContext(ctx).(type) {
		case error:
			return m
		case redis.Subscription:
			if m.Kind == "subscribe" {
				epoch = h.cache.setLive(true)
				h.barrier.up(conn)
				h.once.Do(func() { close(h.ready) })
			}
			if m.Count == 0 {
				return ctx.Err()
			}
		case redis.Pong:
			if m.Data == syncToken {
				h.barrier.pong()
			}
		case redis.Message:
			var msg message
			if err := json.Unmarshal(m.Data, &msg); err != nil {
				h.log.Warn("events: bad message", zap.Error(err))
				continue
			}
			if msg.ProjectGone != "" {
				h.cache.forgetProject(msg.ProjectGone)
				continue
			}
			r := &msg.Render
			h.cache.put(r, epoch, time.Now())
			h.deliver(r)
		}
	}
}

func (h *Hub) deliver(r *simvid.Render) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[r.ID] {
		select {
		case ch <- r:
		default: // full: drop the oldest, keep the newest
			select {
			case <-ch:
			default:
			}
			select {
			case ch <- r:
			default:
			}
		}
	}
}

// recheck hands every followed render's record, re-read, to its listeners once per
// RecheckEvery until ctx ends. Each read is bounded by the period, so one slow read cannot
// hold back the next round for long.
func (h *Hub) recheck(ctx context.Context) {
	t := time.NewTicker(RecheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		h.mu.Lock()
		ids := make([]string, 0, len(h.subs))
		for id := range h.subs {
			ids = append(ids, id)
		}
		h.mu.Unlock()
		for _, id := range ids {
			rctx, cancel := context.WithTimeout(ctx, RecheckEvery)
			epoch := h.cache.current()
			r, err := h.reread(rctx, id)
			cancel()
			if err != nil {
				continue // a read that fails now is tried again next round
			}
			h.cache.put(r, epoch, time.Now())
			h.deliver(r)
		}
	}
}
