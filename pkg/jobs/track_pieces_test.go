package jobs

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gocraft/work"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/simvid"
)

// When music becomes ready (its prepare_audio job), the pieces of its track that every render
// of it shares are made at once (issue 20): a project that chooses it at render time, with a
// length and fades nobody knew then, finds all of its track made but the fade-out's piece, and
// its render joins them into whole music.
func TestMusicReadyPreparesItsPieces(t *testing.T) {
	k := newRenderKit(t, 3, 4) // 12 s of video
	w := k.worker("a", 1, &encodeLog{groups: map[string][]string{}})
	w.Intake = media.NewIntake(k.ff, k.media, media.Limits{ProbeTimeout: 10 * time.Second}, w.Log)
	// 16 s of music uploaded on its own: a project of its own, as the origin's /upload_audio.
	home := &simvid.Project{ID: simvid.NewID(simvid.PrefixProject)}
	if err := k.store.CreateProject(k.ctx, home); err != nil {
		t.Fatal(err)
	}
	a := k.uploadedMusic(home.ID, "song-sha")
	pieces := func() []string {
		m, _ := filepath.Glob(filepath.Join(k.media.CacheDir(), "audio", "pieces", "*.m4a"))
		return m
	}
	if err := w.audioJob(&work.Job{Name: JobPrepareAudio, ID: "p", Args: map[string]any{"asset_id": a.ID, "v": PayloadVersion}}); err != nil {
		t.Fatal(err)
	}
	if got, err := k.store.GetAsset(k.ctx, a.ID); err != nil || got.State != simvid.AssetReady {
		t.Fatalf("music after its job: %+v %v", got, err)
	}
	if n := len(pieces()); n != 4 {
		t.Fatalf("%d pieces made when the music became ready, want the 4 before its last", n)
	}

	// Chosen at render time by the kit's project: 12 s, fade-in 0, the default fade-out.
	k.rerender(func(s *simvid.Spec) { s.Audio = []simvid.AudioClip{{Asset: a.ID}} })
	plan, _ := k.plan(w)
	var left []int
	for i, p := range plan.Audio.Pieces {
		if _, err := os.Stat(w.Engine.AudioPiecePath(p.Key)); err != nil {
			left = append(left, i)
		}
	}
	if len(left) != 1 || left[0] != len(plan.Audio.Pieces)-1 {
		t.Fatalf("the render's pieces %v of %d are not made, want only the last", left, len(plan.Audio.Pieces))
	}
	if err := w.renderJob(renderArgs(k.render.ID)); err != nil {
		t.Fatal(err)
	}
	k.checkOutput(plan)
}

// uploadedMusic records 16 s of a 330 Hz tone as a WAV music upload of project pid that its
// prepare_audio job has not run on yet (AssetProcessing, the original in place).
func (k *renderKit) uploadedMusic(pid, sha string) *simvid.Asset {
	k.t.Helper()
	a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixAudio), ProjectID: pid, Kind: simvid.KindAudio,
		State: simvid.AssetProcessing, SHA256: sha, Duration: 16, Format: "wav"}
	orig, err := k.media.Original(pid, a.ID)
	if err != nil {
		k.t.Fatal(err)
	}
	_ = os.MkdirAll(filepath.Dir(orig), 0o755)
	if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=f=330:r=44100:d=16",
		"-ac", "2", "-f", "wav", orig).CombinedOutput(); err != nil {
		k.t.Fatalf("ffmpeg: %v %s", err, out)
	}
	if err := k.store.CreateAsset(k.ctx, a); err != nil {
		k.t.Fatal(err)
	}
	return a
}

// A render started the moment its music is ready, as the bench's cold render is (issue 20),
// makes only the piece at its end (the fade-out's) in one music_pieces run. The music was
// marked ready before its pieces were made, so such a render made all of its track beside
// the job still making them: two runs, every piece twice.
func TestRenderOfReadyMusicMakesOnlyItsEnd(t *testing.T) {
	k := newRenderKit(t, 3, 4) // 12 s of video: pieces of 2, 4, 4 and 2 s
	w := k.worker("a", 1, &encodeLog{groups: map[string][]string{}})
	w.Intake = media.NewIntake(k.ff, k.media, media.Limits{ProbeTimeout: 10 * time.Second}, w.Log)
	pid := k.render.ProjectID
	a := k.uploadedMusic(pid, "tune-sha")
	k.rerender(func(s *simvid.Spec) { s.Audio = []simvid.AudioClip{{Asset: a.ID}} })
	musicRuns := func() int64 {
		for _, u := range k.ff.Usage().Snapshot() {
			if u.Kind == ffmpeg.KindMusicPieces {
				return u.Runs
			}
		}
		return 0
	}
	pieces := func() int {
		m, _ := filepath.Glob(filepath.Join(k.media.CacheDir(), "audio", "pieces", "*.m4a"))
		return len(m)
	}

	job := make(chan error, 1)
	go func() {
		job <- w.audioJob(&work.Job{Name: JobPrepareAudio, ID: "p", Args: map[string]any{"asset_id": a.ID, "v": PayloadVersion}})
	}()
	// Generate pressed as soon as the page shows the music ready.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		got, err := k.store.GetAsset(k.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State == simvid.AssetReady {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("music still %s", got.State)
		}
	}
	runs, made := musicRuns(), pieces()
	plan, _ := k.plan(w)
	if err := w.renderJob(renderArgs(k.render.ID)); err != nil {
		t.Fatal(err)
	}
	if err := <-job; err != nil {
		t.Fatal(err)
	}
	k.checkOutput(plan)
	if got := musicRuns() - runs; got != 1 {
		t.Errorf("%d music_pieces runs from the music's readiness to the render's end, want the render's 1", got)
	}
	if got := pieces() - made; got != 1 {
		t.Errorf("%d pieces made by the render of %d, want only its last (the fade-out)", got, len(plan.Audio.Pieces))
	}
}
