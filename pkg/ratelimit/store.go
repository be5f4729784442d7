// Package ratelimit counts requests per client in Redis with ulule/limiter on the shared
// redigo pool, so limits hold across every serve instance, and provides the echo middleware
// that answers 429 with Retry-After and X-RateLimit-* headers.
package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/gomodule/redigo/redis"
	"github.com/ulule/limiter/v3"
	"github.com/ulule/limiter/v3/drivers/store/common"
)

// DefaultPrefix starts every rate-limit key in Redis.
const DefaultPrefix = "simvid:rl:"

// incrScript adds ARGV[1] to the counter and starts its window (ARGV[2] ms) if it has none,
// in one step, so concurrent serve instances never lose a count or leave a key without TTL.
var incrScript = redis.NewScript(1, `
local count = redis.call("INCRBY", KEYS[1], ARGV[1])
local ttl = redis.call("PTTL", KEYS[1])
if ttl < 0 then
  redis.call("PEXPIRE", KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {count, ttl}
`)

var peekScript = redis.NewScript(1, `
local v = redis.call("GET", KEYS[1])
if not v then
  return {0, 0}
end
return {tonumber(v), redis.call("PTTL", KEYS[1])}
`)

// Store is a limiter.Store on a redigo pool: fixed windows, one Redis key per identifier.
// It runs on redis-server and on the embedded miniredis alike.
type Store struct {
	pool   *redis.Pool
	prefix string
}

var _ limiter.Store = (*Store)(nil)

// NewStore returns a Store whose keys start with prefix (DefaultPrefix when empty).
func NewStore(pool *redis.Pool, prefix string) *Store {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &Store{pool: pool, prefix: prefix}
}

// Get counts one hit for key and returns the state after it.
func (s *Store) Get(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	return s.Increment(ctx, key, 1, rate)
}

// Increment counts count hits for key and returns the state after them.
func (s *Store) Increment(ctx context.Context, key string, count int64, rate limiter.Rate) (limiter.Context, error) {
	ms := rate.Period.Milliseconds()
	if ms < 1 {
		return limiter.Context{}, fmt.Errorf("ratelimit: period %v of %q is shorter than a millisecond", rate.Period, key)
	}
	n, ttl, err := s.eval(ctx, incrScript, s.prefix+key, count, ms)
	if err != nil {
		return limiter.Context{}, fmt.Errorf("ratelimit: increment %s: %w", key, err)
	}
	return state(rate, n, ttl), nil
}

// Peek returns the state of key without counting a hit.
func (s *Store) Peek(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	n, ttl, err := s.eval(ctx, peekScript, s.prefix+key)
	if err != nil {
		return limiter.Context{}, fmt.Errorf("ratelimit: peek %s: %w", key, err)
	}
	return state(rate, n, ttl), nil
}

// usage returns the amount counted for key and how long until its window ends (0 when it
// has none), without counting anything.
func (s *Store) usage(ctx context.Context, key string) (int64, time.Duration, error) {
	n, ttl, err := s.eval(ctx, peekScript, s.prefix+key)
	if err != nil {
		return 0, 0, fmt.Errorf("ratelimit: usage of %s: %w", key, err)
	}
	return n, time.Duration(max(ttl, 0)) * time.Millisecond, nil
}

// Reset forgets every hit of key.
func (s *Store) Reset(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	c, err := s.pool.GetContext(ctx)
	if err != nil {
		return limiter.Context{}, fmt.Errorf("ratelimit: reset %s: %w", key, err)
	}
	defer c.Close()
	if _, err := redis.DoContext(c, ctx, "DEL", s.prefix+key); err != nil {
		return limiter.Context{}, fmt.Errorf("ratelimit: reset %s: %w", key, err)
	}
	return state(rate, 0, 0), nil
}

func (s *Store) eval(ctx context.Context, script *redis.Script, args ...any) (count, ttlMS int64, err error) {
	c, err := s.pool.GetContext(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()
	vals, err := redis.Int64s(script.DoContext(ctx, c, args...))
	if err != nil {
		return 0, 0, err
	}
	if len(vals) != 2 {
		return 0, 0, fmt.Errorf("script returned %d values, want 2", len(vals))
	}
	return vals[0], vals[1], nil
}

// state turns a count and the key's remaining lifetime into ulule's Context.
func state(rate limiter.Rate, count, ttlMS int64) limiter.Context {
	now := time.Now()
	expiration := now.Add(rate.Period)
	if ttlMS > 0 {
		expiration = now.Add(time.Duration(ttlMS) * time.Millisecond)
	}
	return common.GetContextFromState(now, rate, expiration, count)
}
