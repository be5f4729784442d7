package jobs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gocraft/work"

	"github.com/simvid/simvid/pkg/simvid"
)

// TestMixMusicJob: the mix job prepares nothing while the project's music is still being
// made, then prepares exactly the mix a render of the project plans (its cache key), and the
// render uses that file as it is. A project without music gets no mix.
func TestMixMusicJob(t *testing.T) {
	k := newRenderKit(t, 3, 1)
	log := &encodeLog{groups: map[string][]string{}}
	w := k.worker("a", 1, log)
	pid := k.render.ProjectID
	mix := &work.Job{Name: JobMixMusic, ID: "m", Args: map[string]any{"project_id": pid, "v": PayloadVersion}}
	mixes := func() []string {
		m, _ := filepath.Glob(filepath.Join(k.media.CacheDir(), "audio", "*.m4a")) // tracks, not their pieces
		return m
	}
	setProject := func(spec simvid.Spec) {
		t.Helper()
		if _, err := k.store.UpdateProject(k.ctx, pid, func(p *simvid.Project) error { p.Spec = spec; return nil }); err != nil {
			t.Fatal(err)
		}
	}

	setProject(k.render.Spec) // pictures, no music
	if err := w.mixMusicJob(mix); err != nil {
		t.Fatal(err)
	}
	if m := mixes(); len(m) != 0 {
		t.Fatalf("a mix for a project without music: %v", m)
	}

	tone := k.music(440, 2)
	spec := k.render.Spec
	spec.Audio = []simvid.AudioClip{{Asset: tone.ID}}
	spec.Music.Fit, spec.Music.FadeIn = "loop", 0.5
	setProject(spec)
	if _, err := k.store.UpdateAsset(k.ctx, tone.ID, func(a *simvid.Asset) error { a.State = simvid.AssetProcessing; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := w.mixMusicJob(mix); err != nil {
		t.Fatal(err)
	}
	if m := mixes(); len(m) != 0 {
		t.Fatalf("a mix of music still being prepared: %v", m)
	}

	if _, err := k.store.UpdateAsset(k.ctx, tone.ID, func(a *simvid.Asset) error { a.State = simvid.AssetReady; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := w.mixMusicJob(mix); err != nil {
		t.Fatal(err)
	}
	// The render of the project, as the service freezes it (draft quality: a preview's size).
	k.rerender(func(s *simvid.Spec) { *s = spec.Frozen() })
	plan, _ := k.plan(w)
	want := w.Engine.AudioPath(plan.Audio.Key)
	before, err := os.Stat(want)
	if err != nil {
		t.Fatalf("the render's mix %s was not prepared (cache holds %v)", filepath.Base(want), mixes())
	}
	if err := w.renderJob(renderArgs(k.render.ID)); err != nil {
		t.Fatal(err)
	}
	k.checkOutput(plan)
	after, err := os.Stat(want)
	if err != nil || !os.SameFile(before, after) || len(mixes()) != 1 {
		t.Fatalf("the render made its mix again (cache holds %v)", mixes())
	}
}
