package jobs

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/media/mediastore"
	"github.com/simvid/simvid/pkg/objstore/objstoretest"
	"github.com/simvid/simvid/pkg/testutil"
)

// overStore moves the kit's files into a bucket on a real S3 server (versitygw) and returns
// a maker of Files on that bucket, each over an empty directory of its own.
func (k *renderKit) overStore() func() *media.Files {
	k.t.Helper()
	s3 := testutil.StartS3(k.t)
	b := objstoretest.Open(k.t, s3, "jobs")
	err := filepath.WalkDir(filepath.Join(k.media.Root(), "projects"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		key, err := k.media.Key(p)
		if err != nil {
			return err
		}
		return b.PutFile(k.ctx, key, p, "")
	})
	if err != nil {
		k.t.Fatal(err)
	}
	return func() *media.Files {
		f, err := media.NewRemoteFiles(k.t.TempDir(), mediastore.New(b), 0)
		if err != nil {
			k.t.Fatal(err)
		}
		return f
	}
}

// TestGroupsEncodedApartOverStore is TestGroupsEncodedApartJoin with no directory shared:
// each worker has its own data directory, and the pictures, the other worker's segments and
// the finished video pass through the bucket. The coordinator joins segments it fetched from
// the store into a whole MP4 (read back through a third, empty directory), every group is
// encoded once, and neither worker keeps the video.
func TestGroupsEncodedApartOverStore(t *testing.T) {
	k := newRenderKit(t, 8, 1.5)
	files := k.overStore()
	fa, fb := files(), files()
	log := &encodeLog{groups: map[string][]string{}}
	a, b := k.workerOn("a", 1, log, fa), k.workerOn("b", 1, log, fb)
	plan, groups := k.plan(a)
	a.Start()
	b.Start()
	defer b.Stop(k.ctx)
	defer a.Stop(k.ctx)
	if err := a.client.EnqueueRender(k.ctx, k.render.ID); err != nil {
		t.Fatal(err)
	}
	seen := k.waitDone(60 * time.Second)
	r, err := k.store.GetRender(k.ctx, k.render.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != "done" {
		t.Fatalf("render %s: %s", r.State, r.Error)
	}
	reader := files()
	out, _ := reader.RenderVideo(r.ProjectID, r.ID)
	ctx, cancel := context.WithTimeout(k.ctx, 30*time.Second)
	defer cancel()
	if _, err := reader.Local(ctx, out); err != nil {
		t.Fatalf("the video is not in the store: %v", err)
	}
	k.checkVideo(plan, out)
	checkProgress(t, seen, plan.Frames)
	checkSharedGroups(t, log, groups)
	for name, f := range map[string]*media.Files{"a": fa, "b": fb} {
		_ = filepath.WalkDir(filepath.Join(f.Root(), "projects"), func(p string, d fs.DirEntry, err error) error {
			if err == nil && strings.Contains(p, string(filepath.Separator)+"renders"+string(filepath.Separator)) && !d.IsDir() {
				t.Errorf("worker %s kept %s", name, p)
			}
			return nil
		})
	}
}
