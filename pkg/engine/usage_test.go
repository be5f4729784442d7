package engine

import (
	"testing"

	"github.com/simvid/simvid/pkg/ffmpeg"
)

// checkKinds checks that every ffmpeg a render with music started was counted under the
// kind of step it is, none as "other": the bench's phase table is only as good as these
// labels. A test that has just rendered stills, music and a poster calls it (no render of
// its own: the engine tests' time is tight).
func checkKinds(t *testing.T, k *kit) {
	t.Helper()
	got := map[ffmpeg.Kind]ffmpeg.KindUsage{}
	for _, u := range k.ff.Usage().Snapshot() {
		got[u.Kind] = u.KindUsage
	}
	if got[ffmpeg.KindStill].Runs < 1 || got[ffmpeg.KindMusicPieces].Runs < 1 || got[ffmpeg.KindPoster].Runs != 1 ||
		got[ffmpeg.KindKeyframes].Runs+got[ffmpeg.KindSegment].Runs < 1 {
		t.Errorf("runs by kind = %+v: want stills, music pieces, 1 poster and keyframes or segments", got)
	}
	if o, ok := got[ffmpeg.KindOther]; ok {
		t.Errorf("%d run(s) without a kind", o.Runs)
	}
	for kind, u := range got {
		if u.Wall <= 0 {
			t.Errorf("%s: wall %s", kind, u.Wall)
		}
	}
}
