package render

import (
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
)

// musicPlan plans slides of 3 s with a 300 s track and the music settings given.
func musicPlan(t *testing.T, slides int, music simvid.MusicSpec) *AudioPlan {
	t.Helper()
	in := input(repeat(3, slides), "fade", 0.5)
	id := "aud_music"
	in.Audio[id] = Audio{SHA256: "music", Duration: 300}
	in.Spec.Audio = []simvid.AudioClip{{Asset: id, Start: 7}}
	in.Spec.Music = music
	p, err := NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	return p.Audio
}

// The pieces share out the track's packets in order, each from an encoder that saw the
// samples before and after what it keeps.
func TestAudioPieces(t *testing.T) {
	t.Parallel()
	for _, slides := range []int{1, 2, 12, 41} {
		a := musicPlan(t, slides, simvid.MusicSpec{Fit: "loop"})
		n := a.Samples()
		var next int64
		for i, p := range a.Pieces {
			switch {
			case p.First != next || p.Take <= 0 || p.Take > pieceFrames:
				t.Errorf("%d slides: piece %d keeps packets %d+%d after %d", slides, i, p.First, p.Take, next)
			case p.From%AACFrame != 0 || p.From/AACFrame+p.Skip != p.First || (p.First > 0 && p.Skip < piecePreroll):
				t.Errorf("%d slides: piece %d starts at sample %d skipping %d for packet %d", slides, i, p.From, p.Skip, p.First)
			case p.Packets() < p.Skip+p.Take || p.To > n:
				t.Errorf("%d slides: piece %d's samples %d-%d give %d packets, %d+%d kept", slides, i, p.From, p.To, p.Packets(), p.Skip, p.Take)
			case i < len(a.Pieces)-1 && p.To < n && p.To < (p.First+p.Take-1+piecePostroll)*AACFrame:
				t.Errorf("%d slides: piece %d stops at %d, short of its look-ahead", slides, i, p.To)
			}
			next = p.First + p.Take
		}
		if next != packets(n) || a.Pieces[len(a.Pieces)-1].To != n {
			t.Errorf("%d slides: pieces keep %d packets ending at sample %d; the track has %d packets of %d samples",
				slides, next, a.Pieces[len(a.Pieces)-1].To, packets(n), n)
		}
	}
}

// An edit changes the keys of the pieces whose samples it changes, and only those.
func TestAudioPieceKeys(t *testing.T) {
	t.Parallel()
	changed := func(a, b *AudioPlan) (idx []int) {
		for i := range max(len(a.Pieces), len(b.Pieces)) {
			if i >= len(a.Pieces) || i >= len(b.Pieces) || a.Pieces[i].Key != b.Pieces[i].Key {
				idx = append(idx, i)
			}
		}
		return idx
	}
	base := simvid.MusicSpec{Fit: "loop", FadeIn: 0.5}
	a := musicPlan(t, 12, base)
	if len(a.Pieces) != 10 || a.Pieces[0].Take != firstFrames {
		t.Fatalf("36 s of music in %d pieces, the first of %d packets; want 10, the first of %d", len(a.Pieces), a.Pieces[0].Take, firstFrames)
	}
	// The second piece's encoder starts a second before it, at 1.003 s.
	fade2 := base
	fade2.FadeIn = 1
	if got := changed(a, musicPlan(t, 12, fade2)); len(got) != 1 || got[0] != 0 {
		t.Errorf("a fade-in of 1 s instead of 0.5 s changes pieces %v, want [0]", got)
	}
	fade2.FadeIn = 3.5
	if got := changed(a, musicPlan(t, 12, fade2)); len(got) != 2 || got[1] != 1 {
		t.Errorf("a fade-in of 3.5 s instead of 0.5 s changes pieces %v, want [0 1]", got)
	}
	// A slide more: the track is longer, its fade-out (the last 1.5 s by default) moves.
	if got := changed(a, musicPlan(t, 13, base)); len(got) != 2 || got[0] != 9 {
		t.Errorf("a slide more changes pieces %v, want [9 10]", got)
	}
	louder := base
	louder.Volume = 0.5
	if got := changed(a, musicPlan(t, 12, louder)); len(got) != len(a.Pieces) {
		t.Errorf("the volume changes pieces %v, want all", got)
	}
	if a.Key == musicPlan(t, 12, fade2).Key {
		t.Error("the track's key misses its pieces")
	}
	norm := base
	norm.Normalize = true
	if n := musicPlan(t, 12, norm); len(n.Pieces) != 1 || n.Pieces[0].Take != packets(n.Samples()) {
		t.Errorf("normalised music in %d pieces, want one", len(n.Pieces))
	}
}
