package jobs

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestRenderFindsMissingBeats: music prepared before beats were tracked (no beats stored) gets
// them in the render job, stored with the music, and the beat-synced video ends on a beat of
// the 120 BPM click track (first click at 0.25 s) with no fallback warning.
func TestRenderFindsMissingBeats(t *testing.T) {
	k := newRenderKit(t, 4, 0)
	w := k.worker("a", 1, &encodeLog{groups: map[string][]string{}})
	w.Intake = media.NewIntake(k.ff, k.media, media.Limits{}, zaptest.NewLogger(t))
	song := testutil.ClickTrack("clicks", 120, 0.25, 10)
	a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixAudio), ProjectID: k.render.ProjectID, Kind: simvid.KindAudio,
		State: simvid.AssetReady, SHA256: "clicks", Duration: song.Seconds, Format: "flac"}
	work, err := k.media.AudioWork(a.ProjectID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	_ = os.MkdirAll(filepath.Dir(work), 0o755)
	if out, err := exec.Command("ffmpeg", "-v", "error", "-i", testutil.WriteSong(t, t.TempDir(), song),
		"-ac", "2", "-ar", "48000", "-c:a", "flac", work).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	if err := k.store.CreateAsset(k.ctx, a); err != nil {
		t.Fatal(err)
	}
	k.rerender(func(s *simvid.Spec) {
		s.Audio = []simvid.AudioClip{{Asset: a.ID}}
		s.BeatSync = true
		s.Defaults.Duration = 1
	})
	if err := w.renderJob(renderArgs(k.render.ID)); err != nil {
		t.Fatal(err)
	}
	got, err := k.store.GetAsset(k.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Beats == nil || math.Abs(got.Beats.Tempo-120) > 1 {
		t.Fatalf("stored beats %+v, want 120 BPM", got.Beats)
	}
	r, err := k.store.GetRender(k.ctx, k.render.ID)
	if err != nil {
		t.Fatal(err)
	}
	end := float64(r.FramesTotal) / 30
	beats := (end - 0.25) / 0.5
	if r.State != simvid.StateDone || len(r.Warnings) != 0 || math.Abs(beats-math.Round(beats))*0.5 > 1.0/30 {
		t.Fatalf("render %s, warnings %q, %d frames (%.3f s: %.2f beats after the first)", r.State, r.Warnings, r.FramesTotal, end, beats)
	}
	plan, _ := k.plan(w)
	k.checkOutput(plan)
}
