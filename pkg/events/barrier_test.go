package events

import (
	"errors"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"
)

// pingConn is a subscribed connection that reports each PING flushed, and can be made to
// hang on writes, as one to a Redis that stopped reading does.
type pingConn struct {
	redis.Conn
	pings chan struct{}
	hang  chan struct{} // while open, Flush waits for it
}

func (c *pingConn) Send(cmd string, args ...any) error { return nil }
func (c *pingConn) Flush() error {
	<-c.hang
	c.pings <- struct{}{}
	return nil
}

// One PING serves the caller that sent it; callers arriving meanwhile share the next one;
// a connection that hangs on writes holds up no caller's join; a dropped subscription fails
// every waiting caller.
func TestBarrier(t *testing.T) {
	conn := &pingConn{pings: make(chan struct{}, 10), hang: make(chan struct{})}
	close(conn.hang)
	var b barrier
	if _, err := b.join(); !errors.Is(err, errNotSubscribed) {
		t.Fatalf("join before subscribing: %v", err)
	}
	b.up(conn)
	never := make(chan struct{})
	pinged := func(what string) {
		t.Helper()
		select {
		case <-conn.pings:
		case <-time.After(10 * time.Second):
			t.Fatalf("no PING for %s", what)
		}
	}

	w1, _ := b.join()
	pinged("the first caller")
	w2, _ := b.join()
	w3, _ := b.join()
	if w2 != w3 || w2 == w1 {
		t.Fatal("callers arriving while a PING is in flight do not share the next one")
	}
	select {
	case <-conn.pings:
		t.Fatal("a second PING went out while the first was in flight")
	default:
	}
	b.pong()
	if err := w1.wait(never); err != nil {
		t.Fatalf("first caller after its PONG: %v", err)
	}
	pinged("the callers that came after the first PING")
	select {
	case <-w2.done:
		t.Fatal("later callers were let through by the PONG of a PING sent before they came")
	default:
	}
	b.pong()
	if err := w2.wait(never); err != nil {
		t.Fatalf("later callers after their PONG: %v", err)
	}

	conn.hang = make(chan struct{}) // Redis stops reading
	joined := make(chan *batch)
	go func() { w, _ := b.join(); joined <- w }()
	var w4 *batch
	select {
	case w4 = <-joined:
	case <-time.After(10 * time.Second):
		t.Fatal("join hangs on a connection that hangs on writes")
	}
	b.down()
	if err := w4.wait(never); !errors.Is(err, errNotSubscribed) {
		t.Fatalf("a caller waiting when the subscription dropped: %v", err)
	}
	close(conn.hang)
}
