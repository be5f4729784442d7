package render

import (
	"testing"
)

// Groups cover every distinct segment once, in order; their frames add up to the video;
// every group but a lone one carries at least the minimum cost; workers agree on them.
func TestGroups(t *testing.T) {
	t.Parallel()
	same := input(repeat(3, 4), "fade", 0.5)
	for id := range same.Images { // one picture on every slide: repeated holds
		same.Images[id] = Image{SHA256: "one", Width: 320, Height: 240, Orientation: 1}
	}
	hd := input(repeat(3, 12), "fade", 0.5)
	hd.Spec.Output.Resolution = "1920x1080"
	cases := []struct {
		name    string
		in      Input
		minCost float64
		groups  int
	}{
		// about spreadGroups (down to minGroupFloor): its segments are made in the bitstream,
		// and a hold with the fade it takes its first frame from costs little more than the fade
		{"reference at 1080p", hd, 0, 6},
		{"reference at 1080p, one group", hd, 1000, 1},
		{"small picture: as many (bitstream segments cost the same at any size)", input(repeat(3, 12), "fade", 0.5), 0, 6},
		{"one slide", input([]float64{2}, "fade", 0.5), 0, 1},
		{"one segment per group", input(repeat(1, 5), "none", 0), 0.001, 5},
		{"repeated picture", same, 0.001, 3}, // first hold with the one fade key, the middle holds, last hold
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p, err := NewPlan(c.in)
			if err != nil {
				t.Fatal(err)
			}
			gs := p.Groups(c.minCost)
			again := p.Groups(c.minCost)
			min := p.GroupCost(c.minCost)
			seen := map[string]bool{}
			var frames int64
			var order []string
			for i, g := range gs {
				if g.Index != i || g.Key != again[i].Key || g.Key != groupKey(g.Segments) {
					t.Errorf("group %d: index %d key %s, again %s", i, g.Index, g.Key, again[i].Key)
				}
				if len(gs) > 1 && g.Cost < min {
					t.Errorf("group %d costs %.2f s, under %.2f", i, g.Cost, min)
				}
				frames += g.Frames
				if i+1 < len(gs) && SharesFirstFrame(g.Segments[len(g.Segments)-1], gs[i+1].Segments[0], p.Encoder) {
					t.Errorf("group %d ends with a hold whose fade starts group %d", i, i+1)
				}
				for _, sg := range g.Segments {
					if seen[sg.Key] {
						t.Errorf("segment %s in two groups", sg.Key[:8])
					}
					seen[sg.Key] = true
					order = append(order, sg.Key)
				}
			}
			if frames != p.Frames {
				t.Errorf("groups fill %d frames, the video has %d", frames, p.Frames)
			}
			var want []string
			for _, sg := range p.Segments {
				if !seenIn(want, sg.Key) {
					want = append(want, sg.Key)
				}
			}
			if len(order) != len(want) {
				t.Fatalf("groups hold %d distinct segments, the plan %d", len(order), len(want))
			}
			for i := range want {
				if order[i] != want[i] {
					t.Fatalf("segment %d out of plan order", i)
				}
			}
			if c.groups > 0 && len(gs) != c.groups {
				t.Errorf("%d groups, want %d", len(gs), c.groups)
			}
		})
	}
}

func seenIn(list []string, k string) bool {
	for _, s := range list {
		if s == k {
			return true
		}
	}
	return false
}

// An encoded fade (longer than MaxDissolve), blended in 4:2:0, is costed below a transition
// made by xfade in 4:4:4.
func TestFadeCost(t *testing.T) {
	t.Parallel()
	enc, _ := EncoderFor("standard", false)
	fade := Segment{Kind: KindTransition, Transition: "fade", Frames: 30, FPS: 30}
	wipe := fade
	wipe.Transition = "wipeleft"
	if fade.Making(enc) != Encoded {
		t.Fatalf("a %d-frame fade is not encoded", fade.Frames)
	}
	if f, w := SegmentCost(fade, 1920, 1080, enc), SegmentCost(wipe, 1920, 1080, enc); !(f < w) {
		t.Errorf("fade %.2f s, wipe %.2f s: want the fade cheaper", f, w)
	}
}
