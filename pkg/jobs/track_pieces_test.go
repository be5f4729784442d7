package jobs

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gocraft/work"
	"go.uber.org/zap/zaptest"

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

// Music is ready as soon as it is decoded, before the pieces of its track are made (issue 20:
// the bench's music was ready 1.5 s after its last picture, waiting for them), and a render
// started meanwhile waits for the pieces being made rather than encoding them again, and
// reads none half-written: every piece is encoded once, and the video's sound is whole. The
// music's piece encoders are held at a gate (an ffmpeg wrapper) until the render runs. (Before,
// the music was ready only once its pieces were made, and a render started at readiness made
// only its fade-out's piece; this test holds that too, with the music ready first.) The render
// runs in the process of the music's job, and in another sharing its cache directory and
// Redis (claims in Redis: pieceLocks).
func TestMusicReadyBeforeItsPieces(t *testing.T) {
	t.Run("one process", func(t *testing.T) { musicReadyBeforeItsPieces(t, false) })
	t.Run("two processes", func(t *testing.T) { musicReadyBeforeItsPieces(t, true) })
}

func musicReadyBeforeItsPieces(t *testing.T, twoProcesses bool) {
	k := newRenderKit(t, 2, 4) // 8 s of video: pieces of 2, 4 and 2 s (the fade-out's)
	real, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gate, runs := filepath.Join(dir, "open"), filepath.Join(dir, "runs")
	wrapper := filepath.Join(dir, "ffmpeg")
	script := "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" + runs + "'\n" +
		"case \"$*\" in *\"/audio/pieces/\"*) while [ ! -e '" + gate + "' ]; do sleep 0.02; done;; esac\n" +
		"exec '" + real + "' \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	openGate := func() { _ = os.WriteFile(gate, nil, 0o644) }
	k.ff = ffmpeg.New(wrapper, "", zaptest.NewLogger(t))
	w := k.worker("a", 1, &encodeLog{groups: map[string][]string{}})
	w.Intake = media.NewIntake(k.ff, k.media, media.Limits{ProbeTimeout: 10 * time.Second}, w.Log)
	renderer := w
	if twoProcesses {
		renderer = k.worker("b", 1, &encodeLog{groups: map[string][]string{}})
	}
	a := k.uploadedMusic(k.render.ProjectID, fmt.Sprintf("gated-sha-%v", twoProcesses))
	k.rerender(func(s *simvid.Spec) { s.Audio = []simvid.AudioClip{{Asset: a.ID}} })
	pieces := func() int {
		m, _ := filepath.Glob(filepath.Join(k.media.CacheDir(), "audio", "pieces", "*.m4a"))
		return len(m)
	}
	logged := func() string { b, _ := os.ReadFile(runs); return string(b) }

	job := make(chan error, 1)
	go func() {
		job <- w.audioJob(&work.Job{Name: JobPrepareAudio, ID: "p", Args: map[string]any{"asset_id": a.ID, "v": PayloadVersion}})
	}()
	t.Cleanup(func() { openGate(); <-job })
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		got, err := k.store.GetAsset(k.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State == simvid.AssetReady {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("music still %s while its pieces wait to be encoded: ready only once they are made", got.State)
		}
	}
	if n := pieces(); n != 0 {
		t.Fatalf("%d pieces made before the music was ready, want none (their encoders are held)", n)
	}
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(logged(), "/audio/pieces/"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the music's pieces are not being made once it is ready")
		}
	}

	plan, _ := k.plan(w)
	render := make(chan error, 1)
	go func() { render <- renderer.renderJob(renderArgs(k.render.ID)) }()
	// The render is under way (its segments encode beside its music) before the gate opens.
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(logged(), "/segments/"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the render encodes no segment")
		}
	}
	time.Sleep(100 * time.Millisecond)
	openGate()
	if err := <-render; err != nil {
		t.Fatal(err)
	}
	if err := <-job; err != nil {
		t.Fatal(err)
	}
	job <- nil // for the cleanup
	k.checkOutput(plan)

	encoded := map[string]int{}
	for _, m := range regexp.MustCompile(`/audio/pieces/\.([0-9a-zA-Z_-]+)\.m4a\.tmp-`).FindAllStringSubmatch(logged(), -1) {
		encoded[m[1]]++
	}
	for _, p := range plan.Audio.Pieces {
		if encoded[p.Key] != 1 {
			t.Errorf("the render's piece from sample %d encoded %d times, want once", p.From, encoded[p.Key])
		}
	}
	var musicRuns int64
	for _, u := range k.ff.Usage().Snapshot() {
		if u.Kind == ffmpeg.KindMusicPieces {
			musicRuns = u.Runs
		}
	}
	if want := int64(min(runtime.NumCPU(), 4)) + 1; musicRuns != want {
		t.Errorf("%d music_pieces runs, want %d: the track's (one per core) and the render's fade-out", musicRuns, want)
	}
}
