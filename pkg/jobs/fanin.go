package jobs

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/render"
)

// A render's fan-in state in Redis: the set of its groups whose segments are all in the
// cache, and a hash of frames written per group while workers encode (a group's field goes
// when it is done). Both are idempotent (SADD, HSET of a count that only ever means "at
// least this many"), so retried, duplicated or crashed group jobs cannot make a render count
// a group twice or miss one. They are keyed by group key, which covers the segments' content,
// so a retry of the render reuses them.
func doneKey(renderID string) string   { return "simvid:fanin:done:" + renderID }
func framesKey(renderID string) string { return "simvid:fanin:frames:" + renderID }

// wakeKey is a list that gets an element each time a group of the render is recorded done:
// the coordinator blocks on it (BLPOP) rather than polling, so it learns of the last group at
// once, not up to a poll interval later (150 ms on a 4 s render at two workers).
func wakeKey(renderID string) string { return "simvid:fanin:wake:" + renderID }

// fanInTTL bounds how long the state of an abandoned render stays in Redis.
const fanInTTL = 24 * time.Hour

// markGroupDone records that every segment of g is in the cache.
func markGroupDone(ctx context.Context, pool *redis.Pool, renderID string, g render.Group) error {
	conn, err := pool.GetContext(ctx)
	if err != nil {
		return fmt.Errorf("jobs: fan-in: %w", err)
	}
	defer conn.Close()
	_ = conn.Send("MULTI")
	_ = conn.Send("SADD", doneKey(renderID), g.Key)
	_ = conn.Send("HDEL", framesKey(renderID), g.Key)
	_ = conn.Send("PEXPIRE", doneKey(renderID), fanInTTL.Milliseconds())
	_ = conn.Send("RPUSH", wakeKey(renderID), g.Key)
	_ = conn.Send("PEXPIRE", wakeKey(renderID), fanInTTL.Milliseconds())
	if _, err := conn.Do("EXEC"); err != nil {
		return fmt.Errorf("jobs: fan-in: %w", err)
	}
	return nil
}

// fanIn is what Redis knows about a render's groups: the groups done (nil when the set is
// still the size the caller knew: it only grows) and the frames of groups under way.
type fanIn struct {
	done   map[string]bool
	frames map[string]int64
}

// readFanIn reads a render's fan-in. known is how many done groups the caller has read
// before: the set is read again only when it has grown, so a coordinator's ticks cost what
// the groups under way cost, not what every group done so far does.
func readFanIn(ctx context.Context, pool *redis.Pool, renderID string, known int) (fanIn, error) {
	f := fanIn{frames: map[string]int64{}}
	conn, err := pool.GetContext(ctx)
	if err != nil {
		return f, fmt.Errorf("jobs: fan-in: %w", err)
	}
	defer conn.Close()
	_ = conn.Send("SCARD", doneKey(renderID))
	_ = conn.Send("HGETALL", framesKey(renderID))
	if err := conn.Flush(); err != nil {
		return f, fmt.Errorf("jobs: fan-in: %w", err)
	}
	n, err := redis.Int(conn.Receive())
	if err != nil {
		return f, fmt.Errorf("jobs: fan-in: %w", err)
	}
	if f.frames, err = redis.Int64Map(conn.Receive()); err != nil {
		return f, fmt.Errorf("jobs: fan-in: %w", err)
	}
	if n == known {
		return f, nil
	}
	members, err := redis.Strings(conn.Do("SMEMBERS", doneKey(renderID)))
	if err != nil {
		return f, fmt.Errorf("jobs: fan-in: %w", err)
	}
	f.done = make(map[string]bool, len(members))
	for _, m := range members {
		f.done[m] = true
	}
	return f, nil
}

// clearFanIn drops a finished render's state.
func clearFanIn(pool *redis.Pool, renderID string) {
	conn := pool.Get()
	defer conn.Close()
	_, _ = conn.Do("DEL", doneKey(renderID), framesKey(renderID), wakeKey(renderID), groupsKey(renderID))
}

// fanInWakes sends on the returned channel each time a group of the render is recorded done
// (markGroupDone), and after every interval without one, until ctx ends. The channel holds
// one wake: wakes that come while the reader is busy fold into one (it reads the whole fan-in).
func fanInWakes(ctx context.Context, pool *redis.Pool, renderID string, every time.Duration) <-chan struct{} {
	ch := make(chan struct{}, 1)
	timeout := strconv.FormatFloat(every.Seconds(), 'f', 3, 64)
	go func() {
		for ctx.Err() == nil {
			if err := blockOnWake(ctx, pool, renderID, timeout); err != nil {
				select { // Redis trouble: poll at the interval; the reader reports the error
				case <-ctx.Done():
				case <-time.After(every):
				}
			}
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}()
	return ch
}

// blockOnWake waits up to timeout seconds for a wake of the render (nil on timeout).
func blockOnWake(ctx context.Context, pool *redis.Pool, renderID, timeout string) error {
	conn, err := pool.GetContext(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Do("BLPOP", wakeKey(renderID), timeout)
	return err
}

// frameReporter writes a group's frame count to Redis at most four times a second; it never
// lowers it (a takeover starts its count from zero while the hash holds the dead worker's).
type frameReporter struct {
	pool     *redis.Pool
	renderID string
	group    string
	mu       sync.Mutex
	last     time.Time
}

func (r *frameReporter) frames(n int64) {
	r.mu.Lock()
	if time.Since(r.last) < 250*time.Millisecond {
		r.mu.Unlock()
		return
	}
	r.last = time.Now()
	r.mu.Unlock()
	conn := r.pool.Get()
	defer conn.Close()
	_, _ = raiseScript.Do(conn, framesKey(r.renderID), r.group, n, fanInTTL.Milliseconds())
}

// raiseScript sets a hash field to a count unless it holds a larger one.
var raiseScript = redis.NewScript(1, `
local cur = tonumber(redis.call("HGET", KEYS[1], ARGV[1]) or "0")
if tonumber(ARGV[2]) > cur then
  redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])
end
redis.call("PEXPIRE", KEYS[1], ARGV[3])
return 1`)
