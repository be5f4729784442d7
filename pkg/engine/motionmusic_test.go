package engine

import (
	"bytes"
	"context"
	"os/exec"
	"runtime"
	"testing"

	"github.com/simvid/simvid/pkg/ffmpeg"
)

// TestMotionMusicTakesTheCores: a motion render makes its music before its encoder starts
// (the encoder and any other ffmpeg beside it would pass the 300 MB peak), and as nothing
// else runs then, its pieces are encoded by one ffmpeg a core rather than one: the same
// track, in less wall time. The video and its music are whole, and the music is the same
// samples as the track made by a single ffmpeg.
func TestMotionMusicTakesTheCores(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("SKIPPING: one core: the music's pieces are one ffmpeg anyway")
	}
	k := newKit(t)
	s := k.show("640x480", "draft")
	// One short moving slide (its frames drawn here: slow under -race) and a still one, for
	// music of two pieces (4.01 s each).
	s.slide(k.picture("red.png", "color=c=red:s=320x240,drawbox=x=140:y=100:w=20:h=20:c=white:t=fill"), 1, "contain", 1)
	s.slide(k.picture("blue.png", "color=c=blue:s=320x240"), 4, "contain", 1)
	s.in.Spec.Slides[0].Motion = "zoom-in"
	s.in.Spec.Transition.Name, s.in.Spec.Transition.Duration = "fade", 0.5
	music := k.music("m.flac", 12)
	s.withMusic(music, 12, "loop", nil)
	plan := s.plan()
	if !hasMoving(plan) || plan.Audio == nil || len(plan.Audio.Pieces) < 2 {
		t.Fatalf("want a moving show with music of several pieces: moving %v, audio %+v", hasMoving(plan), plan.Audio)
	}
	s.run(context.Background())
	checkVideo(t, k, s.job.Output, plan, true)
	runs := map[ffmpeg.Kind]int64{}
	for _, u := range k.ff.Usage().Snapshot() {
		runs[u.Kind] = u.Runs
	}
	if want := int64(min(runtime.NumCPU(), len(plan.Audio.Pieces))); runs[ffmpeg.KindMusicPieces] != want {
		t.Errorf("the music's %d pieces were encoded by %d ffmpeg, want %d (one a core)",
			len(plan.Audio.Pieces), runs[ffmpeg.KindMusicPieces], want)
	}

	// The same track made by one ffmpeg, in another cache.
	k1 := newKit(t)
	one, err := k1.eng.PrepareAudio(context.Background(), plan.Audio, music, 1)
	if err != nil {
		t.Fatal(err)
	}
	if n := k1.ff.Usage().Snapshot(); len(n) != 1 || n[0].Runs != 1 {
		t.Fatalf("the single track's runs: %+v", n)
	}
	got, want := pcm(t, s.job.Output), pcm(t, one)
	if len(got) == 0 || !bytes.Equal(got, want) {
		t.Errorf("the render's music (%d bytes of samples) is not the track one ffmpeg makes (%d bytes)", len(got), len(want))
	}
}

// pcm returns the decoded samples of a file's audio.
func pcm(t *testing.T, path string) []byte {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-map", "0:a", "-f", "s16le", "-").Output()
	if err != nil {
		t.Fatalf("decoding the audio of %s: %v", path, err)
	}
	return out
}
