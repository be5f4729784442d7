package faults

import (
	"context"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
	"github.com/simvid/simvid/pkg/objstore"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestNoSharedDirectory: `simvid serve` and `simvid work` with data directories of their
// own, one bucket on a real S3 server (versitygw), one Redis, one PostgreSQL. Pictures and
// music are uploaded through serve, prepared and rendered by work, and the video downloaded
// through serve is whole (ffprobe: size, frames, duration, audio, a clean decode). Serve's
// directory never holds a file that only work made (segments, the video before its
// download), work's holds no video once it is done, and every file either directory holds
// is a copy of an object in the bucket: scratch and cache, nothing only one host has.
func TestNoSharedDirectory(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s3 := testutil.StartS3(t)
	c := newCluster(t, "", "SIMVID_STORAGE_URL="+s3.URL("e2e"),
		"AWS_ACCESS_KEY_ID="+s3.AccessKey, "AWS_SECRET_ACCESS_KEY="+s3.SecretKey)
	dirA, dirB := t.TempDir(), t.TempDir()
	c.Dirs["serve"], c.Dirs["work"] = dirA, dirB
	web := c.Serve("serve")
	c.Work("work")

	s := show{n: 3, w: 640, h: 360, secs: 1, res: "640x480", music: true}
	start := time.Now()
	id := project(t, ctx, web.URL, s)
	api := bench.NewClient(web.URL)
	r, err := api.StartRender(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	done, err := api.WaitRender(ctx, r.ID, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if done.State != "done" {
		t.Fatalf("render %s ended %s: %s", r.ID, done.State, done.Error)
	}
	t.Logf("rendered by work from serve's uploads in %v", time.Since(start).Round(time.Millisecond))

	keys := bucketKeys(t, ctx, s3, "e2e")
	video := "projects/" + id + "/renders/" + r.ID + ".mp4"
	for _, k := range []string{video, "projects/" + id + "/renders/" + r.ID + ".jpg"} {
		if !keys[k] {
			t.Fatalf("%s is not in the bucket", k)
		}
	}
	a, b := filesUnder(t, dirA), filesUnder(t, dirB)
	for _, f := range a {
		if strings.HasPrefix(f, "cache/segments/") || strings.HasPrefix(f, "cache/audio/") || strings.Contains(f, "/renders/") {
			t.Errorf("serve's directory holds %s, which only work makes", f)
		}
	}
	for _, f := range b {
		if strings.Contains(f, "/renders/") {
			t.Errorf("work's directory still holds %s after uploading it", f)
		}
	}
	for host, files := range map[string][]string{"serve": a, "work": b} {
		for _, f := range files {
			if !keys[f] && !strings.HasPrefix(f, "cache/captions/") && !strings.HasPrefix(f, "cache/fonts/") {
				t.Errorf("%s's directory holds %s, which is not in the bucket", host, f)
			}
		}
	}
	t.Logf("bucket: %d objects; serve's directory: %d copies; work's: %d copies", len(keys), len(a), len(b))

	checkDownload(t, ctx, web.URL, r.ID, s)
	out := filepath.Join(t.TempDir(), "again.mp4")
	if _, err := api.Download(ctx, r.ID, out); err != nil {
		t.Fatal(err)
	}
	if d := testutil.Probe(t, out).Duration(); math.Abs(d-float64(s.n)*s.secs) > 0.05 {
		t.Fatalf("video lasts %.3f s, want %.1f", d, float64(s.n)*s.secs)
	}
}

// bucketKeys lists the keys under prefix of the test server's bucket.
func bucketKeys(t *testing.T, ctx context.Context, s3 *testutil.S3, prefix string) map[string]bool {
	t.Helper()
	cfg, err := objstore.Parse(s3.URL(prefix))
	if err != nil {
		t.Fatal(err)
	}
	cfg.AccessKey, cfg.SecretKey = s3.AccessKey, s3.SecretKey
	b, err := objstore.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	if err := b.List(ctx, "", func(i objstore.Info) error { keys[i.Key] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	return keys
}

// filesUnder lists the files of a data directory's projects/ and cache/, as keys (hidden
// temp files of writes in progress left out).
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, sub := range []string{"projects", "cache"} {
		err := filepath.WalkDir(filepath.Join(dir, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	return out
}

// TestWorkerCacheDeletedMidRender: over a bucket, a worker's data directory is a cache.
// Everything in it (prepared stills, segments, the music, fetched originals) is deleted while
// the worker renders; the render still completes whole, from what the bucket holds.
func TestWorkerCacheDeletedMidRender(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s3 := testutil.StartS3(t)
	c := newCluster(t, "", "SIMVID_STORAGE_URL="+s3.URL("wipe"),
		"AWS_ACCESS_KEY_ID="+s3.AccessKey, "AWS_SECRET_ACCESS_KEY="+s3.SecretKey)
	dirB := t.TempDir()
	c.Dirs["serve"], c.Dirs["work"] = t.TempDir(), dirB
	web := c.Serve("serve")
	worker := c.Work("work")
	s := show{n: 4, w: 640, h: 360, secs: 2, res: "854x480", music: true, motion: "zoom-in"}
	id := project(t, ctx, web.URL, s)
	api := bench.NewClient(web.URL)
	r, err := api.StartRender(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for {
		g, err := api.GetRender(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if g.Finished() {
			t.Fatalf("the render ended (%s) before it encoded a frame", g.State)
		}
		if g.State == "rendering" && g.FramesDone > 0 {
			t.Logf("tried: deleting work's projects/ and cache/ at %d of %d frames", g.FramesDone, g.FramesTotal)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, sub := range []string{"projects", "cache"} {
		if err := os.RemoveAll(filepath.Join(dirB, sub)); err != nil {
			t.Fatal(err)
		}
	}
	done, err := api.WaitRender(ctx, r.ID, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if done.State != "done" {
		t.Fatalf("render %s ended %s: %s", r.ID, done.State, done.Error)
	}
	t.Logf("saw: render done; attempts that failed on the way: %d", strings.Count(worker.Log.String(), "render attempt failed"))
	checkDownload(t, ctx, web.URL, r.ID, s)
}

// TestStoreRestartedMidRender: the S3 server dies while a worker renders and stays down
// until the worker has failed to reach it (an upload of a segment, the music or the video);
// it comes back on the same port with the same objects, and the render completes whole.
func TestStoreRestartedMidRender(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s3 := testutil.StartS3(t)
	c := newCluster(t, "", "SIMVID_STORAGE_URL="+s3.URL("restart"),
		"AWS_ACCESS_KEY_ID="+s3.AccessKey, "AWS_SECRET_ACCESS_KEY="+s3.SecretKey)
	c.Dirs["serve"], c.Dirs["work"] = t.TempDir(), t.TempDir()
	web := c.Serve("serve")
	worker := c.Work("work")
	s := show{n: 4, w: 640, h: 360, secs: 2, res: "854x480", music: true, motion: "zoom-in"}
	id := project(t, ctx, web.URL, s)
	api := bench.NewClient(web.URL)
	r, err := api.StartRender(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for {
		g, err := api.GetRender(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if g.Finished() {
			t.Fatalf("the render ended (%s) before it encoded a frame", g.State)
		}
		if g.State == "rendering" && g.FramesDone > 0 {
			t.Logf("tried: S3 server killed at %d of %d frames, back once the worker failed to reach it", g.FramesDone, g.FramesTotal)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	s3.Stop()
	// Down until the worker has failed to reach it (the render needs the store to finish).
	if !worker.Log.Wait("objstore:", 45*time.Second) {
		t.Fatalf("the worker never reached for the store while it was down\n%s", worker.Log.Tail(2000))
	}
	s3.Start()
	done, err := api.WaitRender(ctx, r.ID, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if done.State != "done" {
		t.Fatalf("render %s ended %s: %s", r.ID, done.State, done.Error)
	}
	t.Logf("saw: the worker failed to reach the store, the store came back, the render is done (%d attempts failed on the way)",
		strings.Count(worker.Log.String(), "render attempt failed"))
	checkDownload(t, ctx, web.URL, r.ID, s)
}
