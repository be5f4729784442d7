package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/redisx"
)

// Redis keys outside gocraft/work's namespaces. A lease says a worker is running a render
// right now; a queued marker says a job for it sits in the queue; a cancel flag asks the
// worker running it to stop.
func leaseKey(kind, id string) string  { return "simvid:lease:" + kind + ":" + id }
func queuedKey(kind, id string) string { return "simvid:queued:" + kind + ":" + id }
func cancelKey(renderID string) string { return "simvid:cancel:" + renderID }

// lockKey is a named lock: the workers' periodic leader locks and the Inspector's.
func lockKey(name string) string { return "simvid:lock:" + name }

// errLeaseLost means another worker holds the lease now: this one must stop quietly.
var errLeaseLost = errors.New("jobs: lease lost")

// renewScript extends a lease only while we still own it.
var renewScript = redis.NewScript(1, `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`)

// lease is a short, renewed claim on one unit of work.
type lease struct {
	pool  *redis.Pool
	key   string
	token string
	ttl   time.Duration
}

// acquireLease claims key for ttl. ok is false when someone else holds it.
func acquireLease(ctx context.Context, pool *redis.Pool, key, owner string, ttl time.Duration) (*lease, bool, error) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	l := &lease{pool: pool, key: key, token: owner + "/" + hex.EncodeToString(b[:]), ttl: ttl}
	conn, err := pool.GetContext(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("jobs: lease: %w", err)
	}
	defer conn.Close()
	ok, err := redisx.Claim(conn, key, l.token, ttl)
	if err != nil {
		return nil, false, fmt.Errorf("jobs: lease %s: %w", key, err)
	}
	if !ok {
		return nil, false, nil
	}
	return l, true, nil
}

// renew extends the lease; errLeaseLost when it lapsed and someone else took it.
func (l *lease) renew(ctx context.Context) error {
	conn, err := l.pool.GetContext(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	n, err := redis.Int(renewScript.Do(conn, l.key, l.token, l.ttl.Milliseconds()))
	if err != nil {
		return err
	}
	if n == 0 {
		// Lapsed: take it back if nobody else has (a slow Redis, a paused process).
		ok, err := redisx.Claim(conn, l.key, l.token, l.ttl)
		if err == nil && !ok {
			return errLeaseLost
		}
		return err
	}
	return nil
}

func (l *lease) release() {
	conn := l.pool.Get()
	defer conn.Close()
	_ = redisx.Release(conn, l.key, l.token)
}

// keepAlive renews the lease every ttl/3 until ctx ends; it calls lost when the lease is
// taken by someone else, so the work stops instead of running twice.
func (l *lease) keepAlive(ctx context.Context, lost func()) {
	t := time.NewTicker(l.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := l.renew(ctx); errors.Is(err, errLeaseLost) {
				lost()
				return
			}
		}
	}
}

// tryLock takes a leader lock for ttl without renewal: periodic work runs on whoever holds it.
func tryLock(ctx context.Context, pool *redis.Pool, name string, ttl time.Duration) (bool, error) {
	_, ok, err := acquireLease(ctx, pool, lockKey(name), "leader", ttl)
	return ok, err
}
