package render

import (
	"slices"
	"strings"
	"testing"
)

// KeyframesFeedArgs takes the stills of holds and fades one after another, forces a keyframe
// where each segment starts and mixes each fade's last picture with its fade's weight; only
// the still-picture encoders of holds and short fades take it.
func TestKeyframesFeedArgs(t *testing.T) {
	t.Parallel()
	enc, err := EncoderForSize("standard", 1920, 1080, 30, false)
	if err != nil {
		t.Fatal(err)
	}
	fade := func(n int64) Segment {
		return Segment{Kind: KindTransition, Transition: "fade", Stills: []string{"a", "b"}, Frames: n, FPS: 30}
	}
	hold := Segment{Kind: KindHold, Stills: []string{"c"}, Frames: 90, FPS: 30}
	segs := []Segment{fade(15), hold, fade(16)}
	a := KeyframesFeedArgs(segs, "/tmp/k.h264", enc)
	arg := func(name string) string {
		i := slices.Index(a, name)
		if i < 0 || i+1 >= len(a) {
			t.Fatalf("no %s in %q", name, a)
		}
		return a[i+1]
	}
	// Fed frames: 0 and 1 the first fade's, 2 the hold's, 3 and 4 the second fade's.
	fc := arg("-filter_complex")
	for _, want := range []string{
		"[0:v]format=yuv444p,format=yuv420p,settb=1/30,setpts=N,split=3[p][t0][t1]",
		"[p]select='not(eq(pts,1)+eq(pts,4))'[q]",
		"[t0]tmix=frames=2:weights='1 14',select='eq(pts,1)'[m0]",
		"[t1]tmix=frames=2:weights='1 15',select='eq(pts,4)'[m1]",
		"[q][m0][m1]interleave=nb_inputs=3[v]",
	} {
		if !strings.Contains(fc, want) {
			t.Errorf("graph %q lacks %q", fc, want)
		}
	}
	if got, want := arg("-force_key_frames"), "-0.008333,0.058333,0.091667"; got != want {
		t.Errorf("keyframes at %s, want %s", got, want)
	}
	if got := arg("-frames:v"); got != "5" {
		t.Errorf("-frames:v %s, want 5", got)
	}
	if arg("-i") != "pipe:3" || a[len(a)-1] != "file:/tmp/k.h264" {
		t.Errorf("argv %q: want the stills on pipe:3, the raw stream out", a)
	}
	if slices.Contains(a, "-maxrate") {
		t.Errorf("argv %q: the rate cap would code later keyframes coarser", a)
	}
	if !slices.Contains(a, staticTuning) {
		t.Errorf("argv %q lacks the still-picture tuning of FirstFrameArgs and EndFramesArgs", a)
	}

	holds := KeyframesFeedArgs([]Segment{hold, hold}, "/tmp/k.h264", enc)
	if fc := holds[slices.Index(holds, "-filter_complex")+1]; fc != "[0:v]format=yuv444p,format=yuv420p,settb=1/30,setpts=N[v]" {
		t.Errorf("holds alone: graph %q, want the round trip and the timeline only", fc)
	}

	high, _ := EncoderForSize("high", 1920, 1080, 30, false)
	lossless, _ := EncoderForSize("standard", 1920, 1080, 30, true)
	moving := hold
	moving.Moves = []*Move{{Name: "zoom-in"}}
	for _, c := range []struct {
		name string
		sg   Segment
		enc  Encoder
		want bool
	}{
		{"hold", hold, enc, true},
		{"fade", fade(15), enc, true},
		{"long fade", fade(MaxDissolve + 1), enc, false},
		{"xfade", Segment{Kind: KindTransition, Transition: "wipeleft", Stills: []string{"a", "b"}, Frames: 15, FPS: 30}, enc, false},
		{"high quality", hold, high, false},
		{"lossless", hold, lossless, false},
		{"moving", moving, enc, false},
	} {
		if got := FedKeyframes(c.sg, c.enc); got != c.want {
			t.Errorf("FedKeyframes(%s) = %v, want %v", c.name, got, c.want)
		}
	}
}
