package redisx

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/redisx/redistest"
)

// A master demoted behind the sentinels' back (here by REPLICAOF, which, unlike a sentinel's
// failover, disconnects nobody) is left by the pool: a connection borrowed after the role
// check interval asks ROLE and is dropped, and a write refused with READONLY ends its
// connection, which the pool then closes instead of lending again.
func TestPoolLeavesDemotedMaster(t *testing.T) {
	a, b := redistest.StartServer(t), redistest.StartServer(t)
	s := newSentinels(&SentinelURL{Master: "m"})
	s.resolvedAt = time.Now().Add(time.Hour) // no sentinels to ask here: keep what dials record
	dials := 0
	p := &redis.Pool{
		MaxActive: 4, MaxIdle: 4, Wait: true,
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			dials++
			c, err := redis.DialContext(ctx, "tcp", a.Addr())
			if err != nil {
				return nil, err
			}
			s.master = a.Addr()
			return newMasterConn(c, a.Addr(), s), nil
		},
		TestOnBorrow: func(c redis.Conn, _ time.Time) error { return c.(*masterConn).stillMaster() },
	}
	defer p.Close()
	c1, c2 := p.Get(), p.Get()
	for _, c := range []redis.Conn{c1, c2} {
		if _, err := c.Do("SET", "k", "v"); err != nil {
			t.Fatal(err)
		}
	}
	host, port, _ := strings.Cut(b.Addr(), ":")
	if _, err := c1.Do("REPLICAOF", host, port); err != nil {
		t.Fatal(err)
	}
	// c2 was not disconnected by the demotion: its next write is refused.
	if _, err := c2.Do("SET", "k", "w"); err == nil || !strings.Contains(err.Error(), "READONLY") {
		t.Fatalf("write on the demoted master: %v, want READONLY", err)
	}
	if c2.Err() == nil {
		t.Fatal("a connection that saw READONLY still reports no error; the pool would lend it again")
	}
	if s.current() != "" {
		t.Fatalf("after READONLY the pool still takes %s for the master", s.current())
	}
	c2.Close()
	if n := p.Stats().IdleCount; n != 0 {
		t.Fatalf("%d connections idle after the READONLY one was returned, want it closed", n)
	}

	// c1 goes back to the pool healthy; once it is due for a role check it is dropped.
	s.master = a.Addr() // as if a dial had just confirmed a again
	c1.Close()
	time.Sleep(roleCheckEvery + 50*time.Millisecond)
	before := dials
	p.Get().Close()
	if dials != before+1 {
		t.Fatalf("borrowing after the check interval dialed %d times, want the replica dropped and one dial", dials-before)
	}
}
