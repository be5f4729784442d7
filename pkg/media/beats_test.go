package media

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/simvid/simvid/pkg/testutil"
)

// TestPrepareAudioFindsBeats: preparing music (an MP3 of a 120 BPM click track) finds its
// beats in the same decode as the working copy and the waveform; FindBeats, for music
// prepared before, finds the same from the working copy; a steady tone has no beat (tempo 0,
// no times, but known: not nil).
func TestPrepareAudioFindsBeats(t *testing.T) {
	f := newFixture(t, testLimits)
	song := testutil.ClickTrack("clicks", 120, 0.27, 12)
	src := f.gen(t, "clicks.mp3", "-i", testutil.WriteSong(t, f.dir, song), "-c:a", "libmp3lame")
	a, err := f.audio(t, src, "clicks.mp3")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.in.PrepareAudio(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	b := a.Beats
	if b == nil || math.Abs(b.Tempo-120) > 1 || len(b.Times) < len(song.Beats)-1 {
		t.Fatalf("beats %+v, want 120 BPM and %d times", b, len(song.Beats))
	}
	for _, at := range song.Beats {
		i := slices.IndexFunc(b.Times, func(x float64) bool { return math.Abs(x-at) < 0.02 })
		if i < 0 && at > 0.5 && at < 11.5 {
			t.Errorf("no beat found within 20 ms of the click at %.3f s: %v", at, b.Times)
		}
	}
	again, err := f.in.FindBeats(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	if again.Tempo != b.Tempo || len(again.Times) != len(b.Times) {
		t.Errorf("from the working copy %+v, at upload %+v", again, b)
	}
	dirEmpty(t, f.st.TmpDir())

	tone, err := f.audio(t, f.song(t, "tone.flac"), "tone.flac")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.in.PrepareAudio(context.Background(), tone); err != nil {
		t.Fatal(err)
	}
	if tone.Beats == nil || tone.Beats.Tempo != 0 || len(tone.Beats.Times) != 0 {
		t.Errorf("a tone has beats %+v, want none (and known)", tone.Beats)
	}
}
