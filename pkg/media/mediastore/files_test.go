package mediastore_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/media/mediastore"
	"github.com/simvid/simvid/pkg/objstore"
	"github.com/simvid/simvid/pkg/objstore/objstoretest"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/testutil"
)

// twoHosts starts a real S3 server (versitygw) and returns the bucket and two Files on it
// over two empty data directories: two hosts that share no directory.
func twoHosts(t *testing.T) (*testutil.S3, *objstore.Bucket, *media.Files, *media.Files) {
	t.Helper()
	s3 := testutil.StartS3(t)
	b := objstoretest.Open(t, s3, "media")
	var fs [2]*media.Files
	for i := range fs {
		var err error
		if fs[i], err = media.NewRemoteFiles(t.TempDir(), mediastore.New(b), 0); err != nil {
			t.Fatal(err)
		}
	}
	return s3, b, fs[0], fs[1]
}

// commit writes body to a temp file of f and commits it to dst.
func commit(t *testing.T, f *media.Files, dst, body string) error {
	t.Helper()
	tmp, err := f.CreateTemp("t-*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmp.WriteString(body); err != nil {
		t.Fatal(err)
	}
	tmp.Close()
	return f.Commit(context.Background(), tmp.Name(), dst)
}

func stored(t *testing.T, b *objstore.Bucket, key string) (string, bool) {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "got")
	err := b.Get(context.Background(), key, dst)
	if errors.Is(err, objstore.ErrNotFound) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	body, _ := os.ReadFile(dst)
	return string(body), true
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCommitThenFetchOnAnotherHost: a file committed on A is in the store under its path in
// the data directory, and B, whose directory is empty, reads it through Local; a file the
// store does not hold is fs.ErrNotExist, not an empty file.
func TestCommitThenFetchOnAnotherHost(t *testing.T) {
	_, b, a, hb := twoHosts(t)
	ctx := context.Background()
	pid, aid := simvid.NewID(simvid.PrefixProject), simvid.NewID(simvid.PrefixImage)
	thumbA, _ := a.Thumbnail(pid, aid)
	key := "projects/" + pid + "/thumbs/" + aid + ".jpg"
	if _, ok := stored(t, b, key); ok {
		t.Fatal("the store has the thumbnail before it was committed")
	}
	if err := commit(t, a, thumbA, "thumbnail bytes"); err != nil {
		t.Fatal(err)
	}
	if got, ok := stored(t, b, key); !ok || got != "thumbnail bytes" {
		t.Fatalf("store has %q (%v) under %s", got, ok, key)
	}
	thumbB, _ := hb.Thumbnail(pid, aid)
	if _, err := os.Stat(thumbB); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("B has the file before asking for it: %v", err)
	}
	p, err := hb.Local(ctx, thumbB)
	if err != nil || p != thumbB || read(t, p) != "thumbnail bytes" {
		t.Fatalf("B's Local: %q, %v", p, err)
	}
	other, _ := hb.Thumbnail(pid, simvid.NewID(simvid.PrefixImage))
	if _, err := hb.Local(ctx, other); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Local of a file nobody committed: %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(other); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a missing object left a local file: %v", err)
	}
}

// TestDeletesReachTheStore: DeleteAsset and DeleteProject on a host that holds no copy
// remove the objects, and DeleteProject reports the bytes the store held.
func TestDeletesReachTheStore(t *testing.T) {
	_, b, a, hb := twoHosts(t)
	pid := simvid.NewID(simvid.PrefixProject)
	img, mus := simvid.NewID(simvid.PrefixImage), simvid.NewID(simvid.PrefixAudio)
	orig, _ := a.Original(pid, img)
	thumb, _ := a.Thumbnail(pid, img)
	morig, _ := a.Original(pid, mus)
	work, _ := a.AudioWork(pid, mus)
	for _, p := range []string{orig, thumb, morig, work} {
		if err := commit(t, a, p, "0123456789"); err != nil {
			t.Fatal(err)
		}
	}
	if err := hb.DeleteAsset(pid, img); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"originals/" + img, "thumbs/" + img + ".jpg"} {
		if _, ok := stored(t, b, "projects/"+pid+"/"+k); ok {
			t.Fatalf("%s is still in the store after DeleteAsset", k)
		}
	}
	if _, ok := stored(t, b, "projects/"+pid+"/audio/"+mus+".flac"); !ok {
		t.Fatal("DeleteAsset of a picture removed the music")
	}
	freed, err := hb.DeleteProject(pid)
	if err != nil || freed != 20 {
		t.Fatalf("DeleteProject freed %d, %v; want the 20 bytes of the two files left", freed, err)
	}
	n := 0
	if err := b.List(context.Background(), "projects/"+pid+"/", func(objstore.Info) error { n++; return nil }); err != nil || n != 0 {
		t.Fatalf("%d objects left under the project (%v)", n, err)
	}
}

// TestCacheEntriesWrittenOnce: a content-addressed cache entry is uploaded by the first host
// that commits it and never replaced; a file of a project is replaced by a later commit.
func TestCacheEntriesWrittenOnce(t *testing.T) {
	_, b, a, hb := twoHosts(t)
	stillA := filepath.Join(a.CacheDir(), "stills", "k1.y4m")
	stillB := filepath.Join(hb.CacheDir(), "stills", "k1.y4m")
	if err := os.MkdirAll(filepath.Dir(stillA), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(stillB), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := commit(t, a, stillA, "first"); err != nil {
		t.Fatal(err)
	}
	if err := commit(t, hb, stillB, "second"); err != nil {
		t.Fatal(err)
	}
	if got, _ := stored(t, b, "cache/stills/k1.y4m"); got != "first" {
		t.Fatalf("cache entry in the store is %q, want the first write", got)
	}
	// PublishOnce, as the engine uses it, is the same: once.
	seg := filepath.Join(hb.CacheDir(), "segments", "k2.mp4")
	_ = os.MkdirAll(filepath.Dir(seg), 0o755)
	for _, body := range []string{"one", "two"} {
		if err := os.WriteFile(seg, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := hb.PublishOnce(context.Background(), seg); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := stored(t, b, "cache/segments/k2.mp4"); got != "one" {
		t.Fatalf("segment in the store is %q, want the first", got)
	}
	pid := simvid.NewID(simvid.PrefixProject)
	rid := simvid.NewID(simvid.PrefixRender)
	out, _ := a.RenderVideo(pid, rid)
	for _, body := range []string{"old", "new"} {
		if err := commit(t, a, out, body); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := stored(t, b, "projects/"+pid+"/renders/"+rid+".mp4"); got != "new" {
		t.Fatalf("render in the store is %q, want the later commit", got)
	}
}

// TestCommitWithStoreDown: with the store unreachable a commit fails and leaves no local
// file either, so no host holds what the others cannot get.
func TestCommitWithStoreDown(t *testing.T) {
	s3, _, a, _ := twoHosts(t)
	pid, aid := simvid.NewID(simvid.PrefixProject), simvid.NewID(simvid.PrefixImage)
	orig, _ := a.Original(pid, aid)
	s3.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tmp, _ := a.CreateTemp("t-*")
	tmp.WriteString("x")
	tmp.Close()
	if err := a.Commit(ctx, tmp.Name(), orig); err == nil {
		t.Fatal("commit succeeded with the store down")
	}
	if _, err := os.Stat(orig); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a failed commit left the local file: %v", err)
	}
}

// TestTrimLocalCopies: over a store the data directory is a cache: TrimLocal removes the
// least recently used copies down to its bound, sparing recent ones, and a trimmed file comes
// back through Local.
func TestTrimLocalCopies(t *testing.T) {
	_, _, a, _ := twoHosts(t)
	pid := simvid.NewID(simvid.PrefixProject)
	var paths []string
	for i := range 4 {
		p, _ := a.Original(pid, simvid.NewID(simvid.PrefixImage))
		if err := commit(t, a, p, "0123456789"); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-time.Hour + time.Duration(i)*time.Minute) // paths[0] least recent
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	fresh, _ := a.Thumbnail(pid, simvid.NewID(simvid.PrefixImage)) // used just now: spared
	if err := commit(t, a, fresh, "0123456789"); err != nil {
		t.Fatal(err)
	}
	res, err := a.TrimLocal(25)
	if err != nil || res.Files != 5 || res.Removed != 3 || res.Freed != 30 {
		t.Fatalf("TrimLocal(25): %+v, %v; want 3 of 5 files removed", res, err)
	}
	for i, p := range paths {
		_, err := os.Stat(p)
		if gone := errors.Is(err, fs.ErrNotExist); gone != (i < 3) {
			t.Fatalf("copy %d: gone %v", i, gone)
		}
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Fatalf("the recently used file was trimmed: %v", err)
	}
	if p, err := a.Local(context.Background(), paths[0]); err != nil || read(t, p) != "0123456789" {
		t.Fatalf("a trimmed copy did not come back: %v", err)
	}
}
