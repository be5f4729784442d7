package redisx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/gomodule/redigo/redis"
)

// ErrLockBusy is returned by Lock when another holder kept the lock for the whole wait.
var ErrLockBusy = errors.New("redisx: lock busy")

var releaseScript = redis.NewScript(1, `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// Claim sets key to token for ttl unless it is set (SET NX PX): false when another holder
// has it. With Release it is the one claim every lock and lease of simvid is made of.
func Claim(conn redis.Conn, key, token string, ttl time.Duration) (bool, error) {
	_, err := redis.String(conn.Do("SET", key, token, "NX", "PX", ttl.Milliseconds()))
	if errors.Is(err, redis.ErrNil) {
		return false, nil
	}
	return err == nil, err
}

// Release deletes key only while it still holds token, so that a holder whose claim lapsed
// never frees the next holder's.
func Release(conn redis.Conn, key, token string) error {
	_, err := releaseScript.Do(conn, key, token)
	return err
}

// Lock takes the Redis lock key (SET NX PX ttl), polling for up to wait while another
// holder has it, and returns its release. The lock ends by itself after ttl, so a process
// that dies holding it blocks others for ttl at most. It serves short critical sections
// that must hold across every process sharing the Redis, such as a count then an insert.
func Lock(ctx context.Context, pool *redis.Pool, key string, ttl, wait time.Duration) (func(), error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	deadline := time.Now().Add(wait)
	for {
		ok, err := trySet(ctx, pool, key, token, ttl)
		if err != nil {
			return nil, err
		}
		if ok {
			return func() {
				c := pool.Get()
				defer c.Close()
				_ = Release(c, key, token)
			}, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w: %s", ErrLockBusy, key)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func trySet(ctx context.Context, pool *redis.Pool, key, token string, ttl time.Duration) (bool, error) {
	conn, err := pool.GetContext(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	return Claim(conn, key, token, ttl)
}
