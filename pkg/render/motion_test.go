package render

import (
	"math"
	"strings"
	"testing"
)

func TestAutoMotionNeverRepeats(t *testing.T) {
	t.Parallel()
	in := input(repeat(2, 20), "fade", 0.5)
	in.Spec.Defaults.Motion = "auto"
	in.Spec.Slides[3].Motion = "pan-up" // an explicit motion the cycle would repeat next
	p, err := NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(p.Slides); i++ {
		if p.Slides[i].Motion == p.Slides[i-1].Motion || p.Slides[i].Motion == "auto" {
			t.Errorf("slides %d and %d: %s, %s", i, i+1, p.Slides[i-1].Motion, p.Slides[i].Motion)
		}
	}
	// Every slide moves: its hold is a motion segment, its still supersampled, and both
	// sides of each transition carry their slide's motion from the right frame. A slide's
	// motion counts from the first frame it is seen: the start of the transition into it.
	lead := func(i int) int64 {
		if i == 0 {
			return 0
		}
		return p.Slides[i-1].Out
	}
	for _, sg := range p.Segments {
		switch sg.Kind {
		case KindMotion:
			i := sg.Slides[0]
			if sg.Moves[0].From != lead(i)+p.Slides[i].In {
				t.Errorf("segment %d starts its motion at %d", sg.Index, sg.Moves[0].From)
			}
			if want := lead(i) + p.Slides[i].Frames + map[bool]int64{true: p.Slides[min(i+1, len(p.Slides)-1)].In}[i+1 < len(p.Slides)]; sg.Moves[0].Total != want {
				t.Errorf("segment %d: motion over %d frames, want %d", sg.Index, sg.Moves[0].Total, want)
			}
		case KindTransition:
			i := sg.Slides[0]
			a := p.Slides[i]
			if sg.Moves[0].From != lead(i)+a.Frames-a.Out || sg.Moves[1].From != 0 {
				t.Errorf("transition %d: %d, %d", sg.Index, sg.Moves[0].From, sg.Moves[1].From)
			}
		default:
			t.Errorf("segment %d is a %s", sg.Index, sg.Kind)
		}
	}
	if st := p.Stills[0]; st.W != 736 || st.H != 552 {
		t.Errorf("still %dx%d, want 640x480 * 1.15", st.W, st.H)
	}
	// The motion is part of the key: another strength is another segment.
	in.Spec.Defaults.MotionStrength = 0.3
	q, _ := NewPlan(in)
	if q.Segments[0].Key == p.Segments[0].Key || q.Stills[0].Key == p.Stills[0].Key {
		t.Error("strength left out of the cache keys")
	}
	// ffmpeg resamples nothing: the moving frames come in at output size on the pipes.
	for _, sg := range p.Segments[:2] {
		a := strings.Join(SegmentArgs(sg, []string{"a.y4m", "b.y4m"}[:len(sg.Stills)], "o.mp4", p.Encoder), " ")
		// A fade between two moving slides comes blended, on one pipe.
		want := "-f rawvideo -pix_fmt yuv420p -s 640x480 -r 30 -i pipe:3 -filter_complex [0:v]setsar=1[v] "
		if sg.Kind == KindTransition != sg.FedFade() {
			t.Errorf("segment %d: fed fade %v", sg.Index, sg.FedFade())
		}
		if !strings.HasPrefix(a, want) || strings.Contains(a, "perspective") || strings.Contains(a, "scale=") ||
			!strings.Contains(a, "-c:v libx264 -preset veryfast -x264-params sync-lookahead=0 -crf") {
			t.Errorf("segment %d: %s", sg.Index, a)
		}
	}
	// The window runs from the whole still to the zoomed part, linearly over the slide's frames.
	m := *p.Slides[0].Move
	m.From = 0
	if w := m.Window(0); w != [4]float64{0, 0, 736, 552} {
		t.Errorf("first window %v", w)
	}
	if w := m.Window(m.Total - 1); math.Abs(w[2]-640) > 1e-9 || math.Abs(w[3]-480) > 1e-9 {
		t.Errorf("last window %v, want 640x480", w)
	}
}

func TestStillSlidesKeepTheirKeys(t *testing.T) {
	t.Parallel()
	in := input(repeat(2, 3), "fade", 0.5)
	p, _ := NewPlan(in)
	in.Spec.Slides[1].Motion = "zoom-in"
	q, _ := NewPlan(in)
	if p.Segments[0].Key != q.Segments[0].Key || p.Segments[4].Key != q.Segments[4].Key {
		t.Error("a motion on slide 2 changed slide 1's or 3's hold")
	}
	if p.Segments[2].Key == q.Segments[2].Key || q.Segments[2].Kind != KindMotion {
		t.Error("slide 2's hold did not change")
	}
}

// A long moving slide is cut into parts that chain: each starts its motion where the last
// ended, and together they cover the hold.
func TestLongMotionIsSplit(t *testing.T) {
	t.Parallel()
	in := input([]float64{10, 3}, "fade", 1)
	in.Spec.Slides[0].Motion = "zoom-in"
	p, err := NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	var parts []Segment
	for _, sg := range p.Segments {
		if sg.Kind == KindMotion {
			parts = append(parts, sg)
		}
	}
	hold := p.Slides[0].Frames - p.Slides[0].Out
	if len(parts) != 3 {
		t.Fatalf("%d parts for %d frames", len(parts), hold)
	}
	var at int64
	for _, sg := range parts {
		if sg.Moves[0].From != at || sg.Start != at || sg.Frames > motionChunk*30 {
			t.Errorf("part at %d: from %d, start %d, %d frames", at, sg.Moves[0].From, sg.Start, sg.Frames)
		}
		at += sg.Frames
	}
	if at != hold {
		t.Errorf("parts cover %d frames of %d", at, hold)
	}
}
