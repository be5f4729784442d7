package faults

import (
	"context"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"
)

// TestSegmentWorkerKilled: two workers share a render's segment groups. The one that is not
// coordinating is SIGKILLed (ffmpeg with it) while it encodes a group. Its group's lease
// lapses (2 s) and the coordinator encodes the group itself; the video is whole.
func TestSegmentWorkerKilled(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := show{n: 8, w: 1280, h: 720, secs: 3, res: "1280x720", music: true}
	c, web, workers, api, r := twoWorkersRender(t, ctx, s)
	var victim, coordinator int
	for victim == 0 {
		if ctx.Err() != nil {
			t.Fatal("no worker other than the coordinator ever held a segment group")
		}
		if g, _ := api.GetRender(ctx, r.ID); g != nil && g.Finished() {
			t.Fatalf("the render ended (%s) before a second worker took a group", g.State)
		}
		coordinator = leaseHolder(c.Redis.URL(), r.ID)
		for _, pid := range segmentHolders(c.Redis.URL()) {
			if pid != coordinator && workers[pid] != nil {
				victim = pid
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("tried: SIGKILL %s (pid %d) while it encodes a group; %s (pid %d) coordinates",
		workers[victim].Name, victim, workers[coordinator].Name, coordinator)
	killed := time.Now()
	_ = syscall.Kill(-victim, syscall.SIGKILL) // the whole group: ffmpeg dies with its worker
	<-workers[victim].Done()

	done, err := api.WaitRender(ctx, r.ID, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if done.State != "done" {
		t.Fatalf("render %s ended %s", r.ID, done.State)
	}
	t.Logf("saw: render %s done %v after the kill (%d frames)", r.ID, time.Since(killed).Round(10*time.Millisecond), done.FramesTotal)
	checkDownload(t, ctx, web.URL, r.ID, s)
}

// segmentHolders returns the pids holding segment group leases right now.
func segmentHolders(redisURL string) []int {
	conn, err := redis.DialURL(redisURL, redis.DialConnectTimeout(time.Second), redis.DialReadTimeout(time.Second))
	if err != nil {
		return nil
	}
	defer conn.Close()
	keys, _ := redis.Strings(conn.Do("KEYS", "simvid:lease:segment:*"))
	var pids []int
	for _, k := range keys {
		v, err := redis.String(conn.Do("GET", k))
		if err != nil {
			continue
		}
		owner, _, _ := strings.Cut(v, "/")
		pid, _ := strconv.Atoi(owner[strings.LastIndexByte(owner, ':')+1:])
		pids = append(pids, pid)
	}
	return pids
}
