package jobs

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/engine"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

// Trimming the cache to nothing still keeps every file an unfinished render will read.
func TestTrimCacheKeepsWhatUnfinishedRendersNeed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	log := zaptest.NewLogger(t)
	st, err := store.Open(ctx, "", dir, log)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ms, _ := media.NewFiles(dir)
	eng := engine.New(nil, ms.CacheDir(), ms.TmpDir(), log)
	p := &simvid.Project{ID: simvid.NewID(simvid.PrefixProject)}
	if err := st.CreateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	var spec simvid.Spec
	for i := 0; i < 2; i++ {
		a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixImage), ProjectID: p.ID, Kind: simvid.KindImage,
			State: simvid.AssetReady, SHA256: "sha" + string(rune('a'+i)), Width: 640, Height: 480, Orientation: 1}
		if err := st.CreateAsset(ctx, a); err != nil {
			t.Fatal(err)
		}
		spec.Slides = append(spec.Slides, simvid.Slide{Asset: a.ID})
	}
	spec.Output.Resolution = "640x480"
	spec.Normalize()
	r := &simvid.Render{ID: simvid.NewID(simvid.PrefixRender), ProjectID: p.ID, Spec: spec, State: simvid.StateQueued}
	if err := st.CreateRender(ctx, r); err != nil {
		t.Fatal(err)
	}
	w := &Worker{Deps: Deps{Store: st, Media: ms, Engine: eng, Log: log, FFmpegVersion: "v", Opts: Options{CacheBytes: 1}}}
	in, _, err := w.gatherInputs(ctx, r, func(ctx context.Context, _ *simvid.Render, id string) (*simvid.Asset, error) {
		return st.GetAsset(ctx, id)
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := render.NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	put := func(path string) string {
		_ = os.MkdirAll(filepath.Dir(path), 0o755)
		_ = os.WriteFile(path, []byte("x"), 0o644)
		_ = os.Chtimes(path, old, old)
		return path
	}
	var needed []string
	for _, st := range v.Stills {
		needed = append(needed, put(eng.StillPath(st.Key)))
	}
	for _, sg := range v.Segments {
		needed = append(needed, put(eng.SegmentPath(sg.Key)))
	}
	other := put(eng.SegmentPath("0123abcd"))
	w.trimCache(ctx)
	for _, p := range needed {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("needed file %s removed", filepath.Base(p))
		}
	}
	if _, err := os.Stat(other); err == nil {
		t.Error("an unneeded file survived a trim to nothing")
	}
}
