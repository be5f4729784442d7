// Package redisx builds the shared redigo connection pool and runs the embedded Redis that
// `simvid all` uses when no Redis URL is configured.
package redisx

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gomodule/redigo/redis"
)

// Timeouts of pooled connections. Pooled connections serve short commands only (gocraft/work
// fetches jobs with Lua scripts, never with BRPOP); a caller that must block longer uses
// redis.DoWithTimeout or redis.DoContext on its command, or DialPubSub for a subscription.
const (
	DialTimeout  = 5 * time.Second
	ReadTimeout  = 10 * time.Second
	WriteTimeout = 10 * time.Second

	// DefaultMaxActive caps the pool when NewPool is given maxActive <= 0.
	DefaultMaxActive = 64

	idleTimeout   = 5 * time.Minute
	pingAfterIdle = time.Minute
)

// NewPool returns a pool of connections to the Redis at rawURL: redis://[user:pass@]host:port/db,
// rediss:// for TLS; a bare host:port is read as redis://host:port. At most maxActive
// connections are open at once and Get waits for a free one (Wait=true), so a burst queues
// instead of failing. As many stay open when idle (until idleTimeout): with fewer, every
// request past that many in flight dialed and closed a connection of its own, which under
// a burst of status polls was one request in four (each poll asks Redis for its rate
// limit). The URL is checked here; the first connection is made on first use.
//
// A redis+sentinel:// URL (ParseSentinelURL) makes a pool whose connections go to the
// master the sentinels name, and which drops its connections to a master that is demoted.
func NewPool(rawURL string, maxActive int) (*redis.Pool, error) {
	if maxActive <= 0 {
		maxActive = DefaultMaxActive
	}
	if IsSentinelURL(rawURL) {
		su, err := ParseSentinelURL(rawURL)
		if err != nil {
			return nil, err
		}
		return newSentinelPool(su, maxActive), nil
	}
	u, err := NormalizeURL(rawURL)
	if err != nil {
		return nil, err
	}
	return &redis.Pool{
		MaxActive:   maxActive,
		MaxIdle:     maxActive,
		IdleTimeout: idleTimeout,
		Wait:        true,
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			c, err := redis.DialURLContext(ctx, u,
				redis.DialConnectTimeout(DialTimeout),
				redis.DialReadTimeout(ReadTimeout),
				redis.DialWriteTimeout(WriteTimeout),
			)
			if err != nil {
				return nil, fmt.Errorf("redisx: dial %s: %w", Redact(u), err)
			}
			return c, nil
		},
		TestOnBorrow: func(c redis.Conn, lastUsed time.Time) error {
			// A connection idle for a while may have been cut by Redis or a middlebox.
			if time.Since(lastUsed) < pingAfterIdle {
				return nil
			}
			_, err := c.Do("PING")
			return err
		},
	}, nil
}

// DialPubSub dials one connection without a read timeout, for SUBSCRIBE: a subscriber waits
// for messages as long as it likes. Wrap it in redis.PubSubConn; use ReceiveContext or
// ReceiveWithTimeout with periodic Ping to notice a dead Redis. The caller closes it.
func DialPubSub(ctx context.Context, rawURL string) (redis.Conn, error) {
	if IsSentinelURL(rawURL) {
		su, err := ParseSentinelURL(rawURL)
		if err != nil {
			return nil, err
		}
		return dialSentinelPubSub(ctx, su)
	}
	u, err := NormalizeURL(rawURL)
	if err != nil {
		return nil, err
	}
	c, err := redis.DialURLContext(ctx, u,
		redis.DialConnectTimeout(DialTimeout),
		redis.DialWriteTimeout(WriteTimeout),
	)
	if err != nil {
		return nil, fmt.Errorf("redisx: dial pubsub %s: %w", Redact(u), err)
	}
	return c, nil
}

// Ping checks that Redis answers within ctx (and within ReadTimeout); readiness uses it.
func Ping(ctx context.Context, pool *redis.Pool) error {
	c, err := pool.GetContext(ctx)
	if err != nil {
		return fmt.Errorf("redisx: ping: %w", err)
	}
	defer c.Close()
	reply, err := redis.String(redis.DoContext(c, ctx, "PING"))
	if err != nil {
		return fmt.Errorf("redisx: ping: %w", err)
	}
	if reply != "PONG" {
		return fmt.Errorf("redisx: ping: unexpected reply %q", reply)
	}
	return nil
}

// NormalizeURL checks a Redis URL and returns it in the form redigo dials. A bare host:port
// gets the redis:// scheme; a redis+sentinel:// URL is checked by ParseSentinelURL and
// returned trimmed. Errors never include the password.
func NormalizeURL(rawURL string) (string, error) {
	s := strings.TrimSpace(rawURL)
	if s == "" {
		return "", fmt.Errorf("redisx: empty Redis URL")
	}
	if IsSentinelURL(s) {
		if _, err := ParseSentinelURL(s); err != nil {
			return "", err
		}
		return s, nil
	}
	if !strings.Contains(s, "://") {
		s = "redis://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("redisx: Redis URL %q is not a valid URL (want redis://host:port/db)", Redact(rawURL))
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return "", fmt.Errorf("redisx: Redis URL %s: scheme must be redis://, rediss:// or %s://, not %q", Redact(s), SentinelScheme, u.Scheme)
	}
	if u.Host == "" {
		return "", fmt.Errorf("redisx: Redis URL %s has no host (want redis://host:port/db)", Redact(s))
	}
	if db := strings.Trim(u.Path, "/"); db != "" {
		if n, err := strconv.Atoi(db); err != nil || n < 0 {
			return "", fmt.Errorf("redisx: Redis URL %s: database %q must be a number like /0", Redact(s), db)
		}
	}
	return s, nil
}

// Redact returns rawURL with its password replaced, fit for logs and error messages.
func Redact(rawURL string) string { return RedactWith(rawURL, "xxxxx") }

// RedactWith is Redact with the mask of the caller's choice (the config dump's ***); in a
// redis+sentinel:// URL it masks sentinel_password too.
func RedactWith(rawURL, mask string) string {
	if IsSentinelURL(rawURL) {
		return redactSentinel(rawURL, mask)
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		if err != nil && strings.Contains(rawURL, "@") {
			return "(unparsable Redis URL)"
		}
		return rawURL
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "simvidredactedsecret")
	} else if u.User.Username() != "" {
		// redis-cli style redis://secret@host: the lone user-info is the password.
		u.User = url.User("simvidredactedsecret")
	}
	// url escapes some masks ("*"): mark the spot with a plain word and mask after encoding.
	return strings.ReplaceAll(u.String(), "simvidredactedsecret", mask)
}
