package render

import (
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
)

// The pieces made when a track becomes ready are the pieces of every render of it that no
// fade reaches and the video's end does not cut, whatever the show's length (issue 20: a
// track chosen at render time finds its middle made): of 12 slides of the 300 s track (36 s,
// 10 pieces) only the fade-in's first and the fade-out's last two are left to make.
func TestTrackPiecesAreTheRenders(t *testing.T) {
	t.Parallel()
	track := TrackPieces(simvid.AudioClip{Asset: "aud_music", Start: 7}, simvid.MusicSpec{},
		Audio{SHA256: "music", Duration: 300}, "5.1")
	if track == nil || len(track.Pieces) < 70 {
		t.Fatalf("a 293 s clip gives %v pieces, want the ~73 before its end", track)
	}
	made := map[string]bool{}
	for _, p := range track.Pieces {
		made[p.Key] = true
	}
	for _, c := range []struct {
		slides int
		music  simvid.MusicSpec
		left   []int // the render's pieces still to make
	}{
		{12, simvid.MusicSpec{Fit: "loop"}, []int{9}},                 // the default 1.5 s fade-out reaches only the last
		{12, simvid.MusicSpec{Fit: "loop", FadeIn: 0.5}, []int{0, 9}}, // the fade-in: the first
		{13, simvid.MusicSpec{Fit: "trim", FadeIn: 3.5}, []int{0, 1, 9, 10}},
		{41, simvid.MusicSpec{Fit: "loop"}, []int{30, 31}},
	} {
		a := musicPlan(t, c.slides, c.music)
		var left []int
		for i, p := range a.Pieces {
			if !made[p.Key] {
				left = append(left, i)
			}
		}
		if len(left) != len(c.left) || (len(left) > 0 && (left[0] != c.left[0] || left[len(left)-1] != c.left[len(c.left)-1])) {
			t.Errorf("%d slides, %+v: pieces %v of %d left to make, want %v", c.slides, c.music, left, len(a.Pieces), c.left)
		}
	}
	// A show longer than its music loops it: the pieces of the first pass are made, those
	// that see the loop (from 60 s: piece 15, 58-62 s, on) are not.
	short := TrackPieces(simvid.AudioClip{Asset: "aud_short"}, simvid.MusicSpec{}, Audio{SHA256: "short", Duration: 60}, "5.1")
	in := input(repeat(3, 30), "fade", 0.5) // 90 s
	in.Audio["aud_short"] = Audio{SHA256: "short", Duration: 60}
	in.Spec.Audio = []simvid.AudioClip{{Asset: "aud_short"}}
	in.Spec.Music.Fit = "loop"
	looped := mustPlan(t, in).Audio
	shared := map[string]bool{}
	for _, p := range short.Pieces {
		shared[p.Key] = true
	}
	for i, p := range looped.Pieces {
		if first := p.To <= 60*AudioRate; first != shared[p.Key] {
			t.Errorf("looping: piece %d (samples %d-%d) made when the music became ready: %v", i, p.From, p.To, shared[p.Key])
		}
	}
	if !looped.Loop || len(short.Pieces) < 14 {
		t.Fatalf("looped %v, %d pieces made when ready", looped.Loop, len(short.Pieces))
	}
	if TrackPieces(simvid.AudioClip{Asset: "aud_music"}, simvid.MusicSpec{Normalize: true}, Audio{SHA256: "music", Duration: 300}, "5.1") != nil {
		t.Error("pieces of a normalised track, which depend on the video's length")
	}
	louder := TrackPieces(simvid.AudioClip{Asset: "aud_music", Start: 7}, simvid.MusicSpec{Volume: 0.5}, Audio{SHA256: "music", Duration: 300}, "5.1")
	if louder.Pieces[3].Key == track.Pieces[3].Key {
		t.Error("the volume does not change the pieces")
	}
}
