package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/media/mediastore"
	"github.com/simvid/simvid/pkg/objstore"
	"github.com/simvid/simvid/pkg/objstore/objstoretest"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/testutil"
)

// host is one machine of a test over a store: its own empty data directory, its Files on
// the store and an engine whose cache is that directory's, shared through the store.
type host struct {
	files *media.Files
	eng   *Engine
}

func newHost(t *testing.T, k *kit, b *objstore.Bucket) host {
	t.Helper()
	f, err := media.NewRemoteFiles(t.TempDir(), mediastore.New(b), 0)
	if err != nil {
		t.Fatal(err)
	}
	return host{files: f, eng: New(k.ff, f.CacheDir(), f.TmpDir(), zaptest.NewLogger(t)).WithShared(f)}
}

func openBucket(t *testing.T, s3 *testutil.S3, prefix string) *objstore.Bucket {
	t.Helper()
	return objstoretest.Open(t, s3, prefix)
}

// TestSharedStoreAcrossHosts: three hosts with no directory in common render one slideshow
// through a real S3 server (versitygw). A renders it from originals committed to the store.
// B, with an empty directory, finds every still, segment, the music and the poster in the
// store: it encodes nothing and never downloads an original (there is none on its disk).
// With the store's cache/ emptied, C fetches the originals and the music's working copy and
// makes everything again.
func TestSharedStoreAcrossHosts(t *testing.T) {
	k := newKit(t)
	s3 := testutil.StartS3(t)
	b := openBucket(t, s3, "shared")
	ctx := context.Background()
	a, hb, hc := newHost(t, k, b), newHost(t, k, b), newHost(t, k, b)

	pid := simvid.NewID(simvid.PrefixProject)
	s := k.show("640x480", "draft")
	ids := []string{
		s.slide(k.picture("a.png", "color=c=red:s=320x240"), 1, "contain", 1),
		s.slide(k.picture("b.png", "color=c=blue:s=240x320"), 1, "contain", 1),
	}
	s.withMusic(k.music("m.flac", 2), 2, "loop", nil)
	plan := s.plan()
	// Each host reads the inputs at its own paths; A commits them to the store first.
	paths := func(h host) (map[string]string, map[string]string) {
		img, aud := map[string]string{}, map[string]string{}
		for id, src := range s.job.ImagePaths {
			p, err := h.files.Original(pid, id)
			if err != nil {
				t.Fatal(err)
			}
			img[id] = p
			if h == a {
				commitCopy(t, h.files, src, p)
			}
		}
		for id, src := range s.job.AudioPaths {
			p, err := h.files.AudioWork(pid, id)
			if err != nil {
				t.Fatal(err)
			}
			aud[id] = p
			if h == a {
				commitCopy(t, h.files, src, p)
			}
		}
		return img, aud
	}
	run := func(h host, name string) *Result {
		t.Helper()
		job := s.job
		job.ImagePaths, job.AudioPaths = paths(h)
		job.Output = filepath.Join(t.TempDir(), name+".mp4")
		job.Poster = filepath.Join(t.TempDir(), name+".jpg")
		res, err := h.eng.Run(ctx, job, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkVideo(t, k, job.Output, plan, true)
		if !exists(job.Poster) {
			t.Fatalf("%s: no poster", name)
		}
		return res
	}
	segments := len(plan.Segments)
	if res := run(a, "a"); res.Cached != 0 {
		t.Fatalf("A found %d segments cached in an empty store", res.Cached)
	}
	for _, sg := range plan.Segments {
		if ok, err := hb.files.Stored(ctx, filepath.Join(hb.files.CacheDir(), "segments", sg.Key+".mp4")); err != nil || !ok {
			t.Fatalf("segment %s is not in the store after A's render (%v)", sg.Key, err)
		}
	}
	if res := run(hb, "b"); res.Cached != segments {
		t.Fatalf("B found %d of %d segments in the store", res.Cached, segments)
	}
	for id := range s.job.ImagePaths {
		if p, _ := hb.files.Original(pid, id); exists(p) {
			t.Fatalf("B downloaded the original %s although its still was in the store", id)
		}
	}
	t.Logf("B: %d segments, the stills, the music and the poster from the store; no original downloaded", segments)

	if _, err := b.DeletePrefix(ctx, "cache/"); err != nil {
		t.Fatal(err)
	}
	if res := run(hc, "c"); res.Cached != 0 {
		t.Fatalf("C found %d segments cached after the store's cache was emptied", res.Cached)
	}
	for _, id := range ids {
		if p, _ := hc.files.Original(pid, id); !exists(p) {
			t.Fatalf("C made the still of %s without fetching its original", id)
		}
	}
}

// commitCopy commits a copy of src to dst through f (uploaded to the store).
func commitCopy(t *testing.T, f *media.Files, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	tmp, err := f.CreateTemp("copy-*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmp.Write(b); err != nil {
		t.Fatal(err)
	}
	tmp.Close()
	if err := f.Commit(context.Background(), tmp.Name(), dst); err != nil {
		t.Fatal(err)
	}
}
