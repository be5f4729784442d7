//go:build scale

package scaletest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/bench"
	"github.com/simvid/simvid/pkg/ffmpeg"
)

// pollResult is what the poller phase measured.
type pollResult struct {
	Renders      []string
	Correct      int
	Errors       []error
	Took         time.Duration
	RedisClients int // most clients Redis saw at once while the streams were open
	Streams      int // event streams that reached a finished state
}

// runPollers starts k fresh renders (users' projects at another size, so nothing is cached)
// and n pollers, each from its own address, that stream the progress of one of them and poll
// its status every second until it ends.
func runPollers(ctx context.Context, front string, rec *bench.Recorder, projects []string, n int, redisURL, dir string, ff *ffmpeg.Runner) pollResult {
	var res pollResult
	start := time.Now()
	var mu sync.Mutex
	addErr := func(err error) { mu.Lock(); res.Errors = append(res.Errors, err); mu.Unlock() }
	for i, p := range projects {
		u := newUser(userIP(i), front, rec)
		if err := u.do(ctx, "PATCH /projects/{id}/settings", http.MethodPatch, "/api/v1/projects/"+p+"/settings",
			[]byte(`{"output":{"resolution":"854x480"}}`), "application/json", nil); err != nil {
			addErr(err)
			continue
		}
		var r renderView
		if err := u.do(ctx, "POST /projects/{id}/renders", http.MethodPost, "/api/v1/projects/"+p+"/renders", nil, "", &r); err != nil {
			addErr(err)
			continue
		}
		res.Renders = append(res.Renders, r.ID)
	}
	if len(res.Renders) == 0 {
		return res
	}
	stopWatch := make(chan struct{})
	watched := make(chan int)
	go func() { watched <- watchRedisClients(redisURL, stopWatch) }()
	var streams atomic.Int64
	var wg sync.WaitGroup
	for j := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(j) * 2 * time.Second / time.Duration(n)) // arrive over 2 s
			u := newUser(pollerIP(j), front, rec)
			id := res.Renders[j%len(res.Renders)]
			sse := make(chan struct{})
			go func() {
				defer close(sse)
				if last, _, err := u.follow(ctx, "poller: GET /renders/{id}/events (first event)", id); err == nil && last.finished() {
					streams.Add(1)
				} else if err != nil {
					addErr(fmt.Errorf("poller %d: %w", j, err))
				}
			}()
			for {
				var v renderView
				if err := u.do(ctx, "poller: GET /renders/{id}", http.MethodGet, "/api/v1/renders/"+id, nil, "", &v); err != nil {
					addErr(fmt.Errorf("poller %d: %w", j, err))
					break
				}
				if v.finished() {
					break
				}
				select {
				case <-ctx.Done():
					addErr(fmt.Errorf("poller %d: %w", j, ctx.Err()))
					return
				case <-time.After(time.Second):
				}
			}
			<-sse
		}()
	}
	wg.Wait()
	close(stopWatch)
	res.RedisClients = <-watched
	res.Streams = int(streams.Load())
	res.Took = time.Since(start)
	for i, id := range res.Renders {
		u := newUser(userIP(i), front, rec)
		if err := checkVideo(ctx, u, id, dir, ff, 854, 480); err != nil {
			addErr(err)
			continue
		}
		res.Correct++
	}
	return res
}

// watchRedisClients samples Redis's connected_clients every 200 ms until stop and returns the
// largest value: streams must share one subscription per serve, not hold one each.
func watchRedisClients(url string, stop <-chan struct{}) int {
	peak := 0
	conn, err := redis.DialURL(url, redis.DialConnectTimeout(time.Second))
	if err != nil {
		return -1
	}
	defer conn.Close()
	for {
		if info, err := redis.String(conn.Do("INFO", "clients")); err == nil {
			for _, line := range strings.Split(info, "\n") {
				var n int
				if _, err := fmt.Sscanf(strings.TrimSpace(line), "connected_clients:%d", &n); err == nil {
					peak = max(peak, n)
				}
			}
		}
		select {
		case <-stop:
			return peak
		case <-time.After(200 * time.Millisecond):
		}
	}
}
