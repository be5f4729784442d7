package jobs

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gomodule/redigo/redis"
)

// pieceKey is the Redis key of a claim on the music piece with cache key key.
func pieceKey(key string) string { return "simvid:piece:" + key }

// pieceLocks claims music pieces among the processes sharing Redis (engine.PieceLocks): the
// prepare_audio job of a track on one worker and a render choosing it on another make each
// piece once. Each claim is a lease (ttl, renewed while held), so a process that dies while
// encoding holds the others up for ttl at most; they then make the piece themselves.
type pieceLocks struct {
	pool  *redis.Pool
	owner string
	ttl   time.Duration
}

func (p pieceLocks) Claim(ctx context.Context, keys []string) (held []bool, release func(), err error) {
	held = make([]bool, len(keys))
	var mine []*lease
	free := func() {
		for _, l := range mine {
			l.release()
		}
	}
	for i, k := range keys {
		l, ok, err := acquireLease(ctx, p.pool, pieceKey(k), p.owner, p.ttl)
		if err != nil {
			free()
			return nil, nil, err
		}
		if ok {
			mine = append(mine, l)
		} else {
			held[i] = true
		}
	}
	if len(mine) == 0 {
		return held, func() {}, nil
	}
	renewCtx, stop := context.WithCancel(context.Background())
	var renewing sync.WaitGroup
	for _, l := range mine {
		renewing.Add(1)
		go func() {
			defer renewing.Done()
			l.keepAlive(renewCtx, func() {}) // a claim lost is a piece made twice, never a wrong one
		}()
	}
	var once sync.Once
	// Released once the renewals have stopped: a renewal after the release would take the
	// claim again (renew retakes a lapsed lease) and hold the others up for ttl.
	return held, func() { once.Do(func() { stop(); renewing.Wait(); free() }) }, nil
}

func (p pieceLocks) Held(ctx context.Context, keys []string) ([]bool, error) {
	conn, err := p.pool.GetContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("jobs: piece claims: %w", err)
	}
	defer conn.Close()
	for _, k := range keys {
		if err := conn.Send("EXISTS", pieceKey(k)); err != nil {
			return nil, fmt.Errorf("jobs: piece claims: %w", err)
		}
	}
	if err := conn.Flush(); err != nil {
		return nil, fmt.Errorf("jobs: piece claims: %w", err)
	}
	held := make([]bool, len(keys))
	for i := range keys {
		n, err := redis.Int(conn.Receive())
		if err != nil {
			return nil, fmt.Errorf("jobs: piece claims: %w", err)
		}
		held[i] = n > 0
	}
	return held, nil
}
