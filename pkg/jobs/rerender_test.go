package jobs

import (
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
)

// TestReRenderOnlyWhatChanged: a render of the same spec again only assembles; replacing the
// middle picture re-encodes only its hold and the two fades that show it; changing only the
// music encodes no video at all. Every video is whole, with its music.
func TestReRenderOnlyWhatChanged(t *testing.T) {
	k := newRenderKit(t, 5, 1.5)
	log := &encodeLog{groups: map[string][]string{}}
	w := k.worker("a", 1, log)
	tone := k.music(440, 3)
	k.rerender(func(s *simvid.Spec) {
		s.Audio = []simvid.AudioClip{{Asset: tone.ID}}
		s.Music.Fit = "loop"
	})
	step := func(name string, want int) {
		t.Helper()
		before, assembled := log.segments, log.assembled
		if err := w.renderJob(renderArgs(k.render.ID)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		plan, _ := k.plan(w)
		k.checkOutput(plan)
		if n := log.segments - before; n != want {
			t.Errorf("%s: %d segments encoded, want %d", name, n, want)
		}
		if log.assembled != assembled+1 {
			t.Errorf("%s: assembled %d times", name, log.assembled-assembled)
		}
		t.Logf("%s: %d of %d segments encoded", name, log.segments-before, len(plan.Segments))
	}
	plan, _ := k.plan(w)
	step("first render", len(plan.Segments))
	k.rerender(func(*simvid.Spec) {})
	step("same spec again", 0)
	swap := k.picture(k.render.ProjectID, "0xffffff")
	k.rerender(func(s *simvid.Spec) { s.Slides[2].Asset = swap.ID })
	step("middle picture replaced", 3)
	other := k.music(660, 4)
	k.rerender(func(s *simvid.Spec) { s.Audio = []simvid.AudioClip{{Asset: other.ID}} })
	step("music replaced", 0)
}
