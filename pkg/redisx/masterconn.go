package redisx

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gomodule/redigo/redis"
)

// fullConn is what redigo's own connections are; the pool needs the timeout and context
// forms for redis.DoWithTimeout and redis.DoContext to work through a wrapper.
type fullConn interface {
	redis.Conn
	redis.ConnWithTimeout
	redis.ConnWithContext
}

// masterConn is a pooled connection to the node that was the master when it was dialed. It
// notices when that node is the master no more, and says so through Err, which makes the
// pool close it instead of keeping it: on a READONLY reply (the node is a replica now), and
// when a periodic ROLE check at borrow time finds the node demoted.
type masterConn struct {
	fullConn
	addr    string
	s       *sentinels
	checked time.Time // last ROLE confirmation
	stale   error
}

func newMasterConn(c redis.Conn, addr string, s *sentinels) redis.Conn {
	fc, ok := c.(fullConn)
	if !ok { // redigo's connections are; anything else is used as is
		return c
	}
	return &masterConn{fullConn: fc, addr: addr, s: s, checked: time.Now()}
}

// stillMaster is the pool's TestOnBorrow: a connection to a node other than the one the
// sentinels name now is dropped at once, and the others confirm their node's role once per
// roleCheckEvery (which also proves an idle connection alive, as the PING of a plain pool
// does).
func (c *masterConn) stillMaster() error {
	c.s.refresh()
	if cur := c.s.current(); cur != c.addr {
		return fmt.Errorf("redisx: %s is no longer the master (now %q)", c.addr, cur)
	}
	if time.Since(c.checked) < roleCheckEvery {
		return nil
	}
	role, err := roleOf(c.fullConn)
	if err != nil {
		return err
	}
	if role != "master" {
		c.s.demoted(c.addr)
		return fmt.Errorf("redisx: %s is a %s now, not the master", c.addr, role)
	}
	c.checked = time.Now()
	return nil
}

// Err reports a connection broken or found talking to a demoted master.
func (c *masterConn) Err() error {
	if c.stale != nil {
		return c.stale
	}
	return c.fullConn.Err()
}

// seen notes a READONLY reply: the node was demoted under this connection.
func (c *masterConn) seen(reply any, err error) (any, error) {
	var re redis.Error
	if errors.As(err, &re) && isReadOnly(string(re)) {
		c.stale = fmt.Errorf("redisx: %s answered as a replica: %w", c.addr, err)
		c.s.demoted(c.addr)
	}
	return reply, err
}

// isReadOnly recognizes a write refused by a replica, also when it comes out of a script
// ("READONLY You can't write against a read only replica", or inside an EVAL's error).
func isReadOnly(msg string) bool {
	return strings.HasPrefix(msg, "READONLY") || strings.Contains(msg, "-READONLY") ||
		strings.Contains(msg, "READONLY You can't write")
}

func (c *masterConn) Do(cmd string, args ...any) (any, error) {
	return c.seen(c.fullConn.Do(cmd, args...))
}

func (c *masterConn) DoWithTimeout(d time.Duration, cmd string, args ...any) (any, error) {
	return c.seen(c.fullConn.DoWithTimeout(d, cmd, args...))
}

func (c *masterConn) DoContext(ctx context.Context, cmd string, args ...any) (any, error) {
	return c.seen(c.fullConn.DoContext(ctx, cmd, args...))
}

func (c *masterConn) Receive() (any, error) { return c.seen(c.fullConn.Receive()) }

func (c *masterConn) ReceiveWithTimeout(d time.Duration) (any, error) {
	return c.seen(c.fullConn.ReceiveWithTimeout(d))
}

func (c *masterConn) ReceiveContext(ctx context.Context) (any, error) {
	return c.seen(c.fullConn.ReceiveContext(ctx))
}
