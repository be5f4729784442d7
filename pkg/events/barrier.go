package events

import (
	"errors"
	"sync"

	"github.com/gomodule/redigo/redis"
)

// errNotSubscribed: the hub is between subscriptions, so it cannot vouch for its cache.
var errNotSubscribed = errors.New("events: not subscribed")

// syncToken is the payload of the hub's PINGs on its subscription.
const syncToken = "simvid:sync"

// barrier lets a caller wait until the hub has taken in every change published before the
// call: Redis answers a PING on a subscribed connection after every message it queued there
// before, so once the answer is read, those messages have been handled. One PING in flight
// serves every caller that came before it was sent; callers arriving meanwhile share the
// next one, so a burst of polls costs a couple of round trips, not one each. PINGs are
// written outside mu, each from a goroutine of its own, so that a Redis that stops reading
// holds up no caller beyond its own wait.
type barrier struct {
	mu       sync.Mutex
	conn     redis.Conn // the subscribed connection; nil between subscriptions
	inflight *batch     // callers of the PING sent and not answered yet
	next     *batch     // callers that came after it was sent; non-nil only with inflight

	wmu sync.Mutex // redigo allows one writer at a time on a connection
}

type batch struct {
	done chan struct{}
	once sync.Once
	err  error
}

func newBatch() *batch { return &batch{done: make(chan struct{})} }

// finish ends the wait of the batch's callers; only its first call counts.
func (w *batch) finish(err error) { w.once.Do(func() { w.err = err; close(w.done) }) }

// join returns the batch whose answer vouches for every change published before the call:
// the next PING, sent now when none is in flight. Wait for it with wait.
func (b *barrier) join() (*batch, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conn == nil {
		return nil, errNotSubscribed
	}
	if b.inflight == nil {
		b.inflight = newBatch()
		go b.ping(b.conn, b.inflight)
		return b.inflight, nil
	}
	if b.next == nil {
		b.next = newBatch()
	}
	return b.next, nil
}

// wait returns nil once the batch's PING is answered; an error when it cannot be (the
// subscription dropped, the write failed) or done fires first.
func (w *batch) wait(done <-chan struct{}) error {
	select {
	case <-w.done:
		return w.err
	case <-done:
		return errors.New("events: gave up waiting for the subscription")
	}
}

// ping sends the PING of w on conn. A failed write fails its callers, and those of the next
// PING, now; the subscription's reader sees the broken connection and calls down.
func (b *barrier) ping(conn redis.Conn, w *batch) {
	b.wmu.Lock()
	err := conn.Send("PING", syncToken)
	if err == nil {
		err = conn.Flush()
	}
	b.wmu.Unlock()
	if err == nil {
		return
	}
	b.mu.Lock()
	if b.inflight == w {
		if b.next != nil {
			b.next.finish(err)
		}
		b.inflight, b.next = nil, nil
	}
	b.mu.Unlock()
	w.finish(err)
}

// pong is called by the subscription's reader when a PING of ours is answered.
func (b *barrier) pong() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.inflight != nil {
		b.inflight.finish(nil)
		b.inflight = nil
	}
	if b.next != nil && b.conn != nil {
		b.inflight, b.next = b.next, nil
		go b.ping(b.conn, b.inflight)
	}
}

// up makes conn, just subscribed, the connection PINGs go on.
func (b *barrier) up(conn redis.Conn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.conn = conn
}

// down fails every waiting caller: the subscription is gone.
func (b *barrier) down() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.conn = nil
	for _, w := range []*batch{b.inflight, b.next} {
		if w != nil {
			w.finish(errNotSubscribed)
		}
	}
	b.inflight, b.next = nil, nil
}

// write runs f, a write on the subscribed connection, apart from the PINGs.
func (b *barrier) write(f func()) {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	f()
}
