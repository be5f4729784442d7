package objstore_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/objstore"
)

// cacheOn puts objects of 100 bytes each under keys in a real bucket and opens a cache of
// max bytes over it.
func cacheOn(t *testing.T, max int64, keys ...string) (*objstore.Cache, *objstore.Bucket, string) {
	t.Helper()
	b, _ := open(t, "c")
	ctx := ctxT(t)
	for _, k := range keys {
		if err := b.Put(ctx, k, bytes.NewReader(body(k)), 100, ""); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	c, err := objstore.NewCache(dir, max, b, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	return c, b, dir
}

// body is 100 bytes that say which key they belong to.
func body(key string) []byte {
	return []byte((key + string(bytes.Repeat([]byte{'.'}, 100)))[:100])
}

func downloaded(b *objstore.Bucket) int64 { _, d := b.Stats(); return d }

// present lists which of keys have a file in dir.
func present(dir string, keys ...string) map[string]bool {
	out := map[string]bool{}
	for _, k := range keys {
		_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(k)))
		out[k] = err == nil
	}
	return out
}

func mustGet(t *testing.T, c *objstore.Cache, key string) string {
	t.Helper()
	p, err := c.Get(ctxT(t), key)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, body(key)) {
		t.Fatalf("%s: cached file holds %q", key, got)
	}
	return p
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	keys := []string{"seg/a", "seg/b", "seg/c", "seg/d"}
	c, b, dir := cacheOn(t, 300, keys...)
	mustGet(t, c, "seg/a")
	mustGet(t, c, "seg/b")
	mustGet(t, c, "seg/c")
	mustGet(t, c, "seg/a") // a is now more recent than b and c: a hit
	if d := downloaded(b); d != 300 {
		t.Fatalf("downloaded %d bytes for 3 misses and a hit", d)
	}
	mustGet(t, c, "seg/d")
	if p := present(dir, keys...); !p["seg/a"] || p["seg/b"] || !p["seg/c"] || !p["seg/d"] {
		t.Fatalf("after d: %v (want b, the least recently used, gone)", p)
	}
	if c.Size() != 300 {
		t.Fatalf("size %d over the bound 300", c.Size())
	}
	mustGet(t, c, "seg/b") // evicted, so fetched again; c is now the oldest
	if d := downloaded(b); d != 500 {
		t.Fatalf("downloaded %d bytes, want 500", d)
	}
	if p := present(dir, keys...); p["seg/c"] || !p["seg/a"] || !p["seg/b"] || !p["seg/d"] {
		t.Fatalf("after b again: %v", p)
	}
}

func TestCachePinnedNotEvicted(t *testing.T) {
	keys := []string{"a", "b", "c", "d"}
	c, _, dir := cacheOn(t, 200, keys...)
	ctx := ctxT(t)
	lease, err := c.Acquire(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	mustGet(t, c, "b")
	mustGet(t, c, "c") // over the bound: a is oldest but leased, so b goes
	mustGet(t, c, "d")
	if p := present(dir, keys...); !p["a"] || p["b"] || p["c"] || !p["d"] {
		t.Fatalf("with a leased: %v", p)
	}
	if got, _ := os.ReadFile(lease.Path); !bytes.Equal(got, body("a")) {
		t.Fatal("the leased file changed")
	}
	// Everything leased: the cache goes over its bound rather than pull files from under
	// readers (d, not leased, goes), and comes back under it as they finish.
	lb, _ := c.Acquire(ctx, "b")
	lc, _ := c.Acquire(ctx, "c")
	if c.Size() != 300 {
		t.Fatalf("size %d with a, b, c leased", c.Size())
	}
	if p := present(dir, keys...); !p["a"] || !p["b"] || !p["c"] || p["d"] {
		t.Fatalf("with a, b, c leased: %v", p)
	}
	lease.Release()
	lease.Release() // twice is harmless
	lb.Release()
	lc.Release()
	if c.Size() > 200 {
		t.Fatalf("size %d after the leases ended, bound 200", c.Size())
	}
	if p := present(dir, keys...); !p["c"] || !p["b"] || p["a"] || p["d"] {
		t.Fatalf("after release: %v (want the two most recent, b and c)", p)
	}
}

func TestCacheConcurrentGetsDownloadOnce(t *testing.T) {
	b, _ := open(t, "c")
	ctx := ctxT(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 256<<10) // 4 MiB: the download takes a while
	if err := b.Put(ctx, "segments/x.mp4", bytes.NewReader(big), int64(len(big)), "video/mp4"); err != nil {
		t.Fatal(err)
	}
	c, err := objstore.NewCache(t.TempDir(), 1<<30, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	paths := make([]string, 8)
	errs := make([]error, 8)
	start := make(chan struct{})
	for i := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			l, err := c.Acquire(ctx, "segments/x.mp4")
			if err == nil {
				paths[i] = l.Path
				l.Release()
			}
			errs[i] = err
		}()
	}
	close(start)
	wg.Wait()
	for i := range paths {
		if errs[i] != nil || paths[i] != paths[0] {
			t.Fatalf("caller %d: %q %v", i, paths[i], errs[i])
		}
	}
	if got, _ := os.ReadFile(paths[0]); !bytes.Equal(got, big) {
		t.Fatal("cached file differs")
	}
	if d := downloaded(b); d != int64(len(big)) {
		t.Fatalf("8 concurrent gets downloaded %d bytes, want one download of %d", d, len(big))
	}
}

func TestCacheRebuildsFromDirectory(t *testing.T) {
	c, b, dir := cacheOn(t, 250, "old", "mid", "new")
	for _, k := range []string{"old", "mid", "new"} {
		mustGet(t, c, k) // 300 bytes: "old" is evicted at once
	}
	// As if the process restarted: ages from the files, a crashed download's leftovers.
	base := time.Now().Add(-time.Hour)
	os.WriteFile(filepath.Join(dir, "old"), body("old"), 0o644)
	os.Chtimes(filepath.Join(dir, "old"), base, base)
	os.Chtimes(filepath.Join(dir, "mid"), base.Add(time.Minute), base.Add(time.Minute))
	os.Chtimes(filepath.Join(dir, "new"), base.Add(2*time.Minute), base.Add(2*time.Minute))
	os.WriteFile(filepath.Join(dir, ".x.part-123"), []byte("partial"), 0o644)
	c2, err := objstore.NewCache(dir, 250, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := present(dir, "old", "mid", "new", ".x.part-123"); p["old"] || !p["mid"] || !p["new"] || p[".x.part-123"] {
		t.Fatalf("after restart: %v (want the oldest evicted, the partial file gone)", p)
	}
	if c2.Size() != 200 {
		t.Fatalf("size %d", c2.Size())
	}
	before := downloaded(b)
	mustGet(t, c2, "mid")
	if downloaded(b) != before {
		t.Fatal("a file already in the directory was downloaded again")
	}
}

func TestCacheAddAndVanishedFiles(t *testing.T) {
	c, b, dir := cacheOn(t, 1000, "seg/remote")
	src := writeFile(t, t.TempDir(), "local.mp4", body("seg/local"))
	if err := c.Add("seg/local", src); err != nil {
		t.Fatal(err)
	}
	mustGet(t, c, "seg/local")
	if downloaded(b) != 0 {
		t.Fatal("an added file was downloaded")
	}
	if _, err := os.Stat(src); err != nil {
		t.Fatal("Add took the caller's file away")
	}
	// A worker's cache directory deleted mid-render: the next get fetches again.
	mustGet(t, c, "seg/remote")
	if err := os.RemoveAll(filepath.Join(dir, "seg")); err != nil {
		t.Fatal(err)
	}
	mustGet(t, c, "seg/remote")
	if d := downloaded(b); d != 200 {
		t.Fatalf("downloaded %d bytes, want 200 (once before and once after the wipe)", d)
	}
	if _, err := c.Get(ctxT(t), "seg/none"); !errors.Is(err, objstore.ErrNotFound) {
		t.Fatalf("missing object: %v", err)
	}
	for _, k := range []string{"../escape", "/abs", "a//b"} {
		if _, err := c.Get(context.Background(), k); err == nil {
			t.Errorf("key %q accepted", k)
		}
		if err := c.Add(k, src); err == nil {
			t.Errorf("Add key %q accepted", k)
		}
	}
}

func TestCacheForget(t *testing.T) {
	keys := []string{"projects/p1/a", "projects/p1/b", "projects/p10/a"}
	c, _, dir := cacheOn(t, 1000, keys...)
	for _, k := range keys {
		mustGet(t, c, k)
	}
	lease, err := c.Acquire(ctxT(t), "projects/p1/b")
	if err != nil {
		t.Fatal(err)
	}
	defer lease.Release()
	if n := c.Forget("projects/p1/"); n != 1 {
		t.Fatalf("forgot %d, want 1 (b is leased)", n)
	}
	if p := present(dir, keys...); p["projects/p1/a"] || !p["projects/p1/b"] || !p["projects/p10/a"] {
		t.Fatalf("after forget: %v", p)
	}
	if c.Size() != 200 || c.Forget("") != 0 || c.Forget("../") != 0 {
		t.Fatalf("size %d", c.Size())
	}
}

func TestExists(t *testing.T) {
	b, _ := open(t, "e")
	ctx := ctxT(t)
	if ok, err := b.Exists(ctx, "k"); ok || err != nil {
		t.Fatalf("before: %v %v", ok, err)
	}
	if err := b.Put(ctx, "k", bytes.NewReader([]byte("x")), 1, ""); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.Exists(ctx, "k"); !ok || err != nil {
		t.Fatalf("after: %v %v", ok, err)
	}
	if _, err := b.Exists(ctx, "../k"); err == nil {
		t.Fatal("a bad key was accepted")
	}
}
