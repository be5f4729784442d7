package redisx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/gomodule/redigo/redis"
)

// sentinelTimeout bounds each exchange with one sentinel, so that a dead sentinel costs a
// moment before the next one is asked rather than the whole dial.
const sentinelTimeout = 2 * time.Second

// roleCheckEvery is how often a pool asks the sentinels again where the master is, and how
// often a pooled connection confirms with ROLE, when borrowed, that its node is still the
// master. Both are needed: after a failover the old master, if alive, stays a master taking
// writes until the sentinels convert it (their INFO of it comes every 10 s), and a node cut
// off from the sentinels by a partition is never told. READONLY, once the node is a replica,
// ends a connection at once.
const roleCheckEvery = time.Second

// sentinels finds the current master through a list of sentinels.
type sentinels struct {
	u *SentinelURL

	mu         sync.Mutex
	order      []string  // the sentinel that answered last comes first
	master     string    // the master last confirmed or named; "" once it answered as a replica
	resolvedAt time.Time // when the sentinels last named it
	refreshing bool
}

func newSentinels(u *SentinelURL) *sentinels {
	return &sentinels{u: u, order: append([]string(nil), u.Sentinels...)}
}

// dialMaster asks each sentinel in turn for the master's address, dials it and confirms with
// ROLE that it is the master: a sentinel on the losing side of a partition, or one that has
// not yet seen a failover, may name a node that is a replica now.
func (s *sentinels) dialMaster(ctx context.Context, opts ...redis.DialOption) (redis.Conn, string, error) {
	s.mu.Lock()
	order := append([]string(nil), s.order...)
	s.mu.Unlock()
	var errs []string
	tried := map[string]bool{} // sentinels that agree on a dead master cost one dial
	for _, sen := range order {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err().Error())
			break
		}
		addr, err := s.ask(ctx, sen)
		if err != nil {
			errs = append(errs, fmt.Sprintf("sentinel %s: %v", sen, err))
			continue
		}
		s.answered(sen)
		if tried[addr] {
			errs = append(errs, fmt.Sprintf("sentinel %s names %s too", sen, addr))
			continue
		}
		tried[addr] = true
		c, err := redis.DialContext(ctx, "tcp", addr, append(s.nodeOptions(), opts...)...)
		if err != nil {
			errs = append(errs, fmt.Sprintf("master %s named by sentinel %s: %v", addr, sen, err))
			continue
		}
		if role, err := roleOf(c); err != nil || role != "master" {
			c.Close()
			if err == nil {
				err = fmt.Errorf("it is a %s, not the master", role)
			}
			errs = append(errs, fmt.Sprintf("%s named by sentinel %s: %v", addr, sen, err))
			continue
		}
		s.mu.Lock()
		s.master, s.resolvedAt = addr, time.Now()
		s.mu.Unlock()
		return c, addr, nil
	}
	return nil, "", fmt.Errorf("no master %q through the sentinels: %s", s.u.Master, strings.Join(errs, "; "))
}

// answered puts a sentinel that answered first in line, so that a dead one costs each dial
// nothing once another has answered.
func (s *sentinels) answered(sen string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, o := range s.order {
		if o == sen {
			copy(s.order[1:i+1], s.order[:i])
			s.order[0] = sen
			return
		}
	}
}

// refresh asks the sentinels again, in the background, when they were last asked more than
// roleCheckEvery ago: a new address makes the pool drop its connections to the old one as
// they are borrowed (stillMaster), and the next dial confirms the new one with ROLE. It never
// makes a borrower wait on a sentinel.
func (s *sentinels) refresh() {
	s.mu.Lock()
	if s.refreshing || time.Since(s.resolvedAt) < roleCheckEvery {
		s.mu.Unlock()
		return
	}
	s.refreshing = true
	order := append([]string(nil), s.order...)
	s.mu.Unlock()
	go func() {
		var addr string
		for _, sen := range order {
			a, err := s.ask(context.Background(), sen)
			if err == nil {
				s.answered(sen)
				addr = a
				break
			}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.refreshing = false
		s.resolvedAt = time.Now() // also after a failure: ask again in a while, not at once
		if addr != "" {
			s.master = addr
		}
	}()
}

// ask asks one sentinel where the master is.
func (s *sentinels) ask(ctx context.Context, sen string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, sentinelTimeout)
	defer cancel()
	opts := []redis.DialOption{redis.DialConnectTimeout(sentinelTimeout),
		redis.DialReadTimeout(sentinelTimeout), redis.DialWriteTimeout(sentinelTimeout)}
	if s.u.SentinelPassword != "" {
		opts = append(opts, redis.DialPassword(s.u.SentinelPassword))
	}
	c, err := redis.DialContext(ctx, "tcp", sen, opts...)
	if err != nil {
		return "", err
	}
	defer c.Close()
	reply, err := redis.Strings(c.Do("SENTINEL", "get-master-addr-by-name", s.u.Master))
	if errors.Is(err, redis.ErrNil) {
		return "", fmt.Errorf("monitors no master named %q", s.u.Master)
	}
	if err != nil {
		return "", err
	}
	if len(reply) != 2 {
		return "", fmt.Errorf("unexpected reply %q", reply)
	}
	return net.JoinHostPort(reply[0], reply[1]), nil
}

// nodeOptions are the password and database of the master's URL.
func (s *sentinels) nodeOptions() []redis.DialOption {
	opts := []redis.DialOption{redis.DialConnectTimeout(DialTimeout), redis.DialWriteTimeout(WriteTimeout),
		redis.DialDatabase(s.u.DB)}
	if s.u.Username != "" {
		opts = append(opts, redis.DialUsername(s.u.Username))
	}
	if s.u.Password != "" {
		opts = append(opts, redis.DialPassword(s.u.Password))
	}
	return opts
}

// current is the master last confirmed, "" when the last one turned out demoted.
func (s *sentinels) current() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.master
}

// demoted records that addr answered as a replica: every pooled connection to it is
// dropped when next borrowed, and the next dial asks the sentinels again.
func (s *sentinels) demoted(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.master == addr {
		s.master = ""
	}
}

// roleOf asks a node its role, within sentinelTimeout whatever the connection's own read
// timeout (a subscription's has none).
func roleOf(c redis.Conn) (string, error) {
	v, err := redis.Values(redis.DoWithTimeout(c, sentinelTimeout, "ROLE"))
	if err != nil {
		return "", err
	}
	if len(v) == 0 {
		return "", errors.New("empty ROLE reply")
	}
	return redis.String(v[0], nil)
}

// newSentinelPool is NewPool for a redis+sentinel:// URL.
func newSentinelPool(u *SentinelURL, maxActive int) *redis.Pool {
	s := newSentinels(u)
	return &redis.Pool{
		MaxActive:   maxActive,
		MaxIdle:     maxActive,
		IdleTimeout: idleTimeout,
		Wait:        true,
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			c, addr, err := s.dialMaster(ctx, redis.DialReadTimeout(ReadTimeout))
			if err != nil {
				return nil, fmt.Errorf("redisx: dial %s: %w", sentinelString(u), err)
			}
			return newMasterConn(c, addr, s), nil
		},
		TestOnBorrow: func(c redis.Conn, _ time.Time) error {
			mc, ok := c.(*masterConn)
			if !ok {
				return nil
			}
			return mc.stillMaster()
		},
	}
}

// sentinelString rebuilds the URL's shape for messages; the password is masked by the caller.
func sentinelString(u *SentinelURL) string {
	return fmt.Sprintf("%s://%s/%s/%d", SentinelScheme, strings.Join(u.Sentinels, ","), u.Master, u.DB)
}

// dialSentinelPubSub is DialPubSub for a redis+sentinel:// URL: a subscription lives on the
// master, and when the master goes away its connection ends and the subscriber dials again,
// through the sentinels, reaching the new one.
func dialSentinelPubSub(ctx context.Context, u *SentinelURL) (redis.Conn, error) {
	c, _, err := newSentinels(u).dialMaster(ctx)
	if err != nil {
		return nil, fmt.Errorf("redisx: dial pubsub %s: %w", sentinelString(u), err)
	}
	return c, nil
}
