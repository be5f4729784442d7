package jobs

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/media/mediastore"
	"github.com/simvid/simvid/pkg/objstore"
	"github.com/simvid/simvid/pkg/objstore/objstoretest"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestOrphanSweep, over a real S3 server (versitygw) and the database: the sweep removes the
// objects of an unknown project, of an asset and a render that have no record, and of an
// asset recorded in another project; it keeps the recorded ones, cache entries and keys it
// cannot read, and touches nothing younger than its age.
func TestOrphanSweep(t *testing.T) {
	ctx := context.Background()
	log := zaptest.NewLogger(t)
	s3 := testutil.StartS3(t)
	b := objstoretest.Open(t, s3, "sweep")
	st, err := store.Open(ctx, "", t.TempDir(), log)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ms, err := media.NewRemoteFiles(t.TempDir(), mediastore.New(b), 0)
	if err != nil {
		t.Fatal(err)
	}
	p, other := &simvid.Project{ID: simvid.NewID(simvid.PrefixProject)}, &simvid.Project{ID: simvid.NewID(simvid.PrefixProject)}
	for _, pr := range []*simvid.Project{p, other} {
		if err := st.CreateProject(ctx, pr); err != nil {
			t.Fatal(err)
		}
	}
	img := &simvid.Asset{ID: simvid.NewID(simvid.PrefixImage), ProjectID: p.ID, Kind: simvid.KindImage, State: simvid.AssetReady}
	elsewhere := &simvid.Asset{ID: simvid.NewID(simvid.PrefixImage), ProjectID: other.ID, Kind: simvid.KindImage, State: simvid.AssetReady}
	for _, a := range []*simvid.Asset{img, elsewhere} {
		if err := st.CreateAsset(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	r := &simvid.Render{ID: simvid.NewID(simvid.PrefixRender), ProjectID: p.ID, State: simvid.StateDone}
	if err := st.CreateRender(ctx, r); err != nil {
		t.Fatal(err)
	}
	gone := simvid.NewID(simvid.PrefixProject)
	unrecorded := simvid.NewID(simvid.PrefixAudio)
	paths := func(f func() (string, error)) string {
		path, err := f()
		if err != nil {
			t.Fatal(err)
		}
		return path
	}
	keep := []string{
		paths(func() (string, error) { return ms.Original(p.ID, img.ID) }),
		paths(func() (string, error) { return ms.Thumbnail(p.ID, img.ID) }),
		paths(func() (string, error) { return ms.RenderVideo(p.ID, r.ID) }),
		filepath.Join(ms.CacheDir(), "segments", "k.mp4"),
	}
	orphans := []string{
		paths(func() (string, error) { return ms.Original(gone, simvid.NewID(simvid.PrefixImage)) }),
		paths(func() (string, error) { return ms.AudioWork(p.ID, unrecorded) }),
		paths(func() (string, error) { return ms.RenderPoster(p.ID, simvid.NewID(simvid.PrefixRender)) }),
		paths(func() (string, error) { return ms.Original(p.ID, elsewhere.ID) }), // recorded, but in another project
	}
	for _, path := range append(append([]string{}, keep...), orphans...) {
		_ = os.MkdirAll(filepath.Dir(path), 0o755)
		tmp, _ := ms.CreateTemp("o-*")
		_, _ = tmp.WriteString("12345")
		tmp.Close()
		if err := ms.Commit(ctx, tmp.Name(), path); err != nil {
			t.Fatal(err)
		}
	}
	odd := "projects/" + p.ID + "/notes/readme"
	if err := b.Put(ctx, odd, strings.NewReader("x"), 1, ""); err != nil {
		t.Fatal(err)
	}
	w := &Worker{Deps: Deps{Store: st, Media: ms, Log: log}}

	res, err := ms.SweepOrphans(ctx, media.OrphanAge, w.recordedFile())
	if err != nil || res.Removed != 0 || res.Objects != 8 {
		t.Fatalf("sweep of fresh objects: %+v, %v; want 8 seen, none removed", res, err)
	}
	res, err = ms.SweepOrphans(ctx, -time.Minute, w.recordedFile()) // every object is old enough
	if err != nil || res.Removed != len(orphans) || res.Freed != int64(5*len(orphans)) {
		t.Fatalf("sweep: %+v, %v; want the %d orphans removed", res, err, len(orphans))
	}
	var left []string
	if err := b.List(ctx, "", func(i objstore.Info) error { left = append(left, i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, path := range keep {
		k, _ := ms.Key(path)
		want = append(want, k)
	}
	want = append(want, odd)
	sort.Strings(left)
	sort.Strings(want)
	if strings.Join(left, " ") != strings.Join(want, " ") {
		t.Fatalf("left in the store:\n%s\nwant:\n%s", strings.Join(left, "\n"), strings.Join(want, "\n"))
	}
}
