package faults

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
)

// TestS3RestartedMidRender: serve and a worker with directories of their own over one
// versitygw bucket. The S3 server is killed while ffmpeg writes the render's frames and
// started again 3 s later on the same port over the same directory (longer than a lease).
// The render cannot be done without the store (its segments and video are published before
// the record says done), so it rode out the outage: it completes in its first attempt (the
// S3 client retries its requests through the restart), its video is whole in the bucket and
// through serve, and a render asked for after the restart completes too.
func TestS3RestartedMidRender(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s3, c, web := storeServe(t, "restart")
	work := c.Work("work")
	s := show{n: 4, w: 640, h: 360, secs: 2, res: "640x480", music: true, motion: "zoom-in"}
	api := bench.NewClient(web.URL)
	id := project(t, ctx, web.URL, s)
	r, err := api.StartRender(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := api.WaitFrames(ctx, r.ID, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	s3.Stop()
	down := time.Now()
	t.Logf("tried: kill the S3 server while render %s runs (%d of %d frames)", r.ID, cur.FramesDone, cur.FramesTotal)
	time.Sleep(3 * time.Second)
	mid, err := api.GetRender(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("saw with S3 down for 3 s: render %s %s %.0f%% (%s)", r.ID, mid.State, mid.Progress, mid.Message)
	if mid.State == "done" {
		t.Fatalf("render %s says done while the store is down: its video cannot be in the bucket", r.ID)
	}
	s3.Start()
	back := time.Now()
	t.Logf("tried: S3 server back on %s after %v", s3.Addr(), back.Sub(down).Round(10*time.Millisecond))

	done, err := api.WaitRender(ctx, r.ID, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("saw: render %s %s %v after S3 came back", r.ID, done.State, time.Since(back).Round(10*time.Millisecond))
	keys := bucketKeys(t, ctx, s3, "restart")
	if video := "projects/" + id + "/renders/" + r.ID + ".mp4"; !keys[video] {
		t.Fatalf("%s is not in the bucket", video)
	}
	checkDownload(t, ctx, web.URL, r.ID, s)

	renderAfter(t, ctx, web.URL)
	for _, line := range strings.Split(work.Log.String(), "\n") {
		if strings.Contains(line, "render attempt failed") || strings.Contains(line, "render failed") {
			// The client retries a request through a restart this short: no attempt is spent.
			t.Errorf("the restart cost the render an attempt: %s", line)
		}
	}
}
