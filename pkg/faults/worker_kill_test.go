package faults

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
)

// TestWorkerKilledMidRender: two workers; the one holding a render's lease is SIGKILLed
// while ffmpeg writes frames. Its lease lapses (2 s), the reconciler re-enqueues the render
// and the other worker finishes it; the video is whole. The slides move, so every frame goes
// through the encoder on the lease holder: a still show's keyframes are made in a second or
// two (one fed x264 for several groups), often before the kill could land.
func TestWorkerKilledMidRender(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := show{n: 5, w: 1280, h: 720, secs: 3, res: "1280x720", music: true, motion: "zoom-in"}
	c, web, workers, api, r := twoWorkersRender(t, ctx, s)
	cur, err := api.WaitFrames(ctx, r.ID, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	pid := leaseHolder(c.Redis.URL(), r.ID)
	victim := workers[pid]
	if victim == nil {
		t.Fatalf("the lease of %s names pid %d, not one of the workers", r.ID, pid)
	}
	t.Logf("tried: SIGKILL %s (pid %d), which holds render %s at %d of %d frames", victim.Name, pid, r.ID, cur.FramesDone, cur.FramesTotal)
	killed := time.Now()
	_ = syscall.Kill(-pid, syscall.SIGKILL) // the whole group: ffmpeg dies with its worker
	<-victim.Done()

	var next int
	for next == 0 || next == pid {
		if time.Since(killed) > 30*time.Second {
			t.Fatalf("no other worker took the render within 30 s of the kill (lease holder %d)", next)
		}
		time.Sleep(100 * time.Millisecond)
		next = leaseHolder(c.Redis.URL(), r.ID)
		if g, _ := api.GetRender(ctx, r.ID); g != nil && g.Finished() {
			break
		}
	}
	if next != 0 {
		t.Logf("saw: %s (pid %d) took the render %v after the kill", workers[next].Name, next, time.Since(killed).Round(10*time.Millisecond))
	}
	done, err := api.WaitRender(ctx, r.ID, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("saw: render %s %s %v after the kill (%d frames)", r.ID, done.State, time.Since(killed).Round(10*time.Millisecond), done.FramesTotal)
	checkDownload(t, ctx, web.URL, r.ID, s)
}

// twoWorkersRender starts serve and two workers (work-a, work-b, by pid) and a render of s.
func twoWorkersRender(t *testing.T, ctx context.Context, s show) (*cluster, *proc, map[int]*proc, *bench.Client, *bench.Render) {
	t.Helper()
	c := newCluster(t, "")
	web := c.Serve("serve")
	workers := map[int]*proc{}
	for _, name := range []string{"work-a", "work-b"} {
		w := c.Work(name)
		workers[w.Pid()] = w
	}
	id := project(t, ctx, web.URL, s)
	api := bench.NewClient(web.URL)
	r, err := api.StartRender(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return c, web, workers, api, r
}
