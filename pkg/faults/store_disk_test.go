package faults

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestWorkerDiskFull: serve and workers with directories of their own over one bucket; one
// worker's data directory is a 40 MB tmpfs that is filled.
//
//   - Below limits.min_free_disk (1 MiB here) the full worker does not start a render: it
//     hands it back, and the user sees it waiting for a worker with free disk space, not a
//     failure. A second worker with room starts and the render completes there.
//   - With no such check (min_free_disk 0) the disk fills during the render: the render fails
//     with a message that says the server ran out of disk space, not a vague one.
//   - The bucket holds no broken or partial object: every video in it decodes whole and no
//     temp name was uploaded. With the space back the project renders on the same worker.
func TestWorkerDiskFull(t *testing.T) {
	binary(t) // build before the clock runs and before mounting
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s3, c, web := storeServe(t, "full")
	disk := tmpfs(t, "40m")
	c.Dirs["work-full"], c.Dirs["work-full-nocheck"] = disk, disk
	full := c.Work("work-full")
	api := bench.NewClient(web.URL)
	s := show{n: 3, w: 640, h: 360, secs: 1.5, res: "640x480", music: true}
	id := project(t, ctx, web.URL, s)
	if _, err := api.WaitMusic(ctx, id, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}

	fill(t, disk, 256<<10)
	r, err := api.StartRender(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tried: render %s with only a worker whose disk has %d KB free (min_free_disk 1 MiB)", r.ID, freeBytes(t, disk)>>10)
	waiting := watchRender(t, ctx, api, r.ID, 4*time.Second, func(g *bench.Render) bool {
		return g.State == "queued" && strings.Contains(g.Message, "free disk space")
	})
	if waiting.Finished() || !strings.Contains(waiting.Message, "free disk space") {
		t.Fatalf("render %s on a full worker: %s %q %q; want it queued, waiting for a worker with free disk space",
			r.ID, waiting.State, waiting.Message, waiting.Error)
	}
	if !full.Log.Has("handing the render back") {
		t.Errorf("the full worker's log does not say it handed the render back")
	}
	room := c.Work("work-room")
	done, err := api.WaitRender(ctx, r.ID, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if !room.Log.Has(`"render done","render_id":"` + r.ID) {
		t.Errorf("render %s was not made by the worker with room", r.ID)
	}
	t.Logf("saw: render %s %s on the worker with room, started after it", r.ID, done.State)
	checkDownload(t, ctx, web.URL, r.ID, s)

	// The disk fills during the render: nothing stops the worker from starting it.
	for _, p := range []*proc{full, room} {
		if err := p.Stop(10 * time.Second); err != nil {
			t.Logf("stop %s: %v", p.Name, err)
		}
	}
	c.Work("work-full-nocheck", "SIMVID_LIMITS_MIN_FREE_DISK=0")
	big := show{n: 3, w: 640, h: 360, secs: 1.5, res: "1280x720"}
	id2 := project(t, ctx, web.URL, big)
	if err := os.Remove(filepath.Join(disk, "ballast")); err != nil {
		t.Fatal(err)
	}
	fill(t, disk, 1<<20) // less than one 1280x720 still
	r2, err := api.StartRender(ctx, id2)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tried: render %s at 1280x720 on a worker with %d KB free and no free-space check", r2.ID, freeBytes(t, disk)>>10)
	failed := watchRender(t, ctx, api, r2.ID, 30*time.Second, (*bench.Render).Finished)
	if failed.State != "failed" || !strings.Contains(failed.Error, "disk space") {
		t.Fatalf("render %s on a disk that fills: %s %q; want failed, saying the server ran out of disk space", r2.ID, failed.State, failed.Error)
	}

	b := bucketAt(t, ctx, s3, "full")
	videos := 0
	for k := range bucketObjects(t, ctx, b) {
		if strings.Contains(k, "/.") || strings.Contains(k, ".tmp") || strings.Contains(k, ".part") || strings.Contains(k, r2.ID) {
			t.Errorf("the bucket holds %s, a temp file or the failed render's output", k)
		}
		if !strings.HasSuffix(k, ".mp4") {
			continue
		}
		f := filepath.Join(t.TempDir(), filepath.Base(k))
		if err := b.Get(ctx, k, f); err != nil {
			t.Fatal(err)
		}
		if p := testutil.Probe(t, f); p.Video() == nil || p.Duration() <= 0 {
			t.Errorf("%s in the bucket is not a whole video", k)
		} else if e := testutil.DecodeErrors(t, f); e != "" {
			t.Errorf("%s in the bucket does not decode cleanly: %s", k, e)
		}
		videos++
	}
	t.Logf("saw: %d videos and segments in the bucket, every one whole; nothing of render %s", videos, r2.ID)

	if err := os.Remove(filepath.Join(disk, "ballast")); err != nil {
		t.Fatal(err)
	}
	r3, err := api.StartRender(ctx, id2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.WaitRender(ctx, r3.ID, 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	t.Logf("saw after freeing space: render %s of the same project done on the same worker", r3.ID)
	checkDownload(t, ctx, web.URL, r3.ID, big)
}

// watchRender logs every state and message a render passes through until stop says so, it
// finishes, or d passes, and returns the last it saw.
func watchRender(t *testing.T, ctx context.Context, api *bench.Client, id string, d time.Duration, stop func(*bench.Render) bool) *bench.Render {
	t.Helper()
	var last string
	for end := time.Now().Add(d); ; time.Sleep(50 * time.Millisecond) {
		g, err := api.GetRender(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if now := g.State + " / " + g.Message + " / " + g.Error; now != last {
			t.Logf("saw: render %s %s", id, now)
			last = now
		}
		if stop(g) || g.Finished() || time.Now().After(end) {
			return g
		}
	}
}
