package faults

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
)

// TestWorkerCacheDeletedMidRender: over a bucket a worker's data directory is a cache. Once
// the worker has published a segment of a running render, its cache/ and projects/ are
// removed (rm -rf) while it encodes the others. The render completes whole in its first
// attempt (a step whose still vanished under ffmpeg fetches it and runs again); the segments
// it lost are in its cache again, fetched from the bucket (published once, never re-uploaded).
func TestWorkerCacheDeletedMidRender(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s3, c, web := storeServe(t, "wipe")
	work := c.Work("work")
	dir := c.Dirs["work"]
	s := show{n: 6, w: 640, h: 360, secs: 1.5, res: "640x480", music: true, motion: "zoom-in"}
	api := bench.NewClient(web.URL)
	id := project(t, ctx, web.URL, s)
	r, err := api.StartRender(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var lost []string
	for len(lost) == 0 {
		if g, err := api.GetRender(ctx, r.ID); err != nil || g.Finished() {
			t.Fatalf("render %s ended before the worker held a segment: %+v, %v", r.ID, g, err)
		}
		lost, _ = filepath.Glob(filepath.Join(dir, "cache", "segments", "*.mp4"))
		time.Sleep(10 * time.Millisecond)
	}
	before := bucketObjects(t, ctx, bucketAt(t, ctx, s3, "wipe"))
	held := filesUnder(t, dir)
	for _, sub := range []string{"cache", "projects"} {
		var err error
		for range 20 { // the worker may write a file in a directory being removed: again
			if err = os.RemoveAll(filepath.Join(dir, sub)); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	mid, _ := api.GetRender(ctx, r.ID)
	t.Logf("tried: rm -rf the worker's cache/ and projects/ (%d files, %d segments) while render %s is %s at %d of %d frames",
		len(held), len(lost), r.ID, mid.State, mid.FramesDone, mid.FramesTotal)

	done, err := api.WaitRender(ctx, r.ID, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("saw: render %s %s", r.ID, done.State)
	checkDownload(t, ctx, web.URL, r.ID, s)

	after := bucketObjects(t, ctx, bucketAt(t, ctx, s3, "wipe"))
	for _, seg := range lost {
		key := "cache/segments/" + filepath.Base(seg)
		if _, err := os.Stat(seg); err != nil {
			t.Errorf("the lost segment %s is not back in the worker's cache: %v", key, err)
		}
		if b, a := before[key], after[key]; b.ETag == "" || a.ETag != b.ETag || !a.Modified.Equal(b.Modified) {
			t.Errorf("segment %s in the bucket: before %+v, after %+v; want it published once, unchanged", key, b, a)
		}
	}
	t.Logf("saw: the %d lost segments are back in the worker's cache, their objects unchanged; the worker holds %d files now",
		len(lost), len(filesUnder(t, dir)))
	for _, line := range strings.Split(work.Log.String(), "\n") {
		switch {
		case strings.Contains(line, "render attempt failed") || strings.Contains(line, "render failed"):
			// A step that lost a file makes it again; the render does not spend an attempt.
			t.Errorf("the wipe cost the render an attempt: %s", line)
		case strings.Contains(line, "went missing from the cache"):
			t.Logf("saw in the worker's log: %s", line)
		}
	}
}
