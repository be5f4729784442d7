package faults

import (
	"context"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
	"github.com/simvid/simvid/pkg/objstore"
	"github.com/simvid/simvid/pkg/objstore/objstoretest"
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
	s3, c, web := storeServe(t, "e2e")
	c.Work("work")
	dirA, dirB := c.Dirs["serve"], c.Dirs["work"]

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
	checkStoreDownloads(t, ctx, s3, c, web.URL, r.ID)
	out := filepath.Join(t.TempDir(), "again.mp4")
	if _, err := api.Download(ctx, r.ID, out); err != nil {
		t.Fatal(err)
	}
	if d := testutil.Probe(t, out).Duration(); math.Abs(d-float64(s.n)*s.secs) > 0.05 {
		t.Fatalf("video lasts %.3f s, want %.1f", d, float64(s.n)*s.secs)
	}
}

// storeCluster is a cluster over the bucket of s3 (objects under prefix) in which every
// process has an empty data directory of its own (c.Dirs[name] once started): hosts that
// share no directory. env is added after the storage settings.
func storeCluster(t *testing.T, s3 *testutil.S3, prefix string, env ...string) *cluster {
	t.Helper()
	c := newCluster(t, "", append([]string{"SIMVID_STORAGE_URL=" + s3.URL(prefix),
		"AWS_ACCESS_KEY_ID=" + s3.AccessKey, "AWS_SECRET_ACCESS_KEY=" + s3.SecretKey}, env...)...)
	c.own = true
	return c
}

// storeServe starts a real S3 server, a storeCluster on its bucket under prefix, and the
// cluster's serve process.
func storeServe(t *testing.T, prefix string, env ...string) (*testutil.S3, *cluster, *proc) {
	t.Helper()
	s3 := testutil.StartS3(t)
	c := storeCluster(t, s3, prefix, env...)
	return s3, c, c.Serve("serve")
}

// bucketKeys lists the keys under prefix of the test server's bucket.
func bucketKeys(t *testing.T, ctx context.Context, s3 *testutil.S3, prefix string) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	for k := range bucketObjects(t, ctx, bucketAt(t, ctx, s3, prefix)) {
		keys[k] = true
	}
	return keys
}

// bucketAt opens the test server's bucket under prefix, as simvid sees it.
func bucketAt(t *testing.T, ctx context.Context, s3 *testutil.S3, prefix string) *objstore.Bucket {
	t.Helper()
	return objstoretest.Open(t, s3, prefix)
}

// bucketObjects lists every object of b by key.
func bucketObjects(t *testing.T, ctx context.Context, b *objstore.Bucket) map[string]objstore.Info {
	t.Helper()
	objs := map[string]objstore.Info{}
	if err := b.List(ctx, "", func(i objstore.Info) error { objs[i.Key] = i; return nil }); err != nil {
		t.Fatal(err)
	}
	return objs
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

// checkStoreDownloads: serve hands the video out as a redirect to a signed link to the store
// (Range works there, the object itself stays private, serve's disk never holds it), and a
// serve told to stream sends it itself, with Range, from the store.
func checkStoreDownloads(t *testing.T, ctx context.Context, s3 *testutil.S3, c *cluster, base, renderID string) {
	t.Helper()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(client *http.Client, u, rng string) *http.Response {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	resp := get(noFollow, base+"/api/v1/renders/"+renderID+"/video", "")
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc == nil || "http://"+loc.Host != s3.Endpoint || loc.Query().Get("X-Amz-Signature") == "" {
		t.Fatalf("video: %d to %q; want a 302 to a signed link to %s", resp.StatusCode, resp.Header.Get("Location"), s3.Endpoint)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("redirect to an expiring link has Cache-Control %q", cc)
	}
	part := get(http.DefaultClient, loc.String(), "bytes=0-99")
	if body, _ := io.ReadAll(part.Body); part.StatusCode != http.StatusPartialContent || len(body) != 100 || string(body[4:8]) != "ftyp" {
		t.Fatalf("Range on the signed link: %d, %d bytes", part.StatusCode, len(body))
	}
	unsigned := *loc
	unsigned.RawQuery = ""
	if r := get(http.DefaultClient, unsigned.String(), ""); r.StatusCode != http.StatusForbidden {
		t.Fatalf("the video without a signature answered %d: the bucket must stay private", r.StatusCode)
	}

	own := t.TempDir()
	c.Dirs["serve-stream"] = own
	streamer := c.Serve("serve-stream", "SIMVID_STORAGE_SERVE=stream")
	resp = get(noFollow, streamer.URL+"/api/v1/renders/"+renderID+"/video", "bytes=0-99")
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusPartialContent || len(body) != 100 || string(body[4:8]) != "ftyp" ||
		resp.Header.Get("Content-Range") == "" {
		t.Fatalf("streamed video with Range: %d, %d bytes, Content-Range %q", resp.StatusCode, len(body), resp.Header.Get("Content-Range"))
	}
	for _, f := range filesUnder(t, own) {
		if strings.Contains(f, "/renders/") {
			t.Errorf("the streaming serve copied %s to its disk; it streams from the store", f)
		}
	}
}
