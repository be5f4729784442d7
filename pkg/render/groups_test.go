package render

import (
	"math"
	"testing"
)

// Groups cover every distinct segment once, in order; their frames add up to the video;
// every group but a lone one carries at least the minimum cost or, toward the end, a quarter
// of the work from it on; workers agree on them.
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
		{"reference at 1080p", hd, 0, 8}, // 4 of two fades, 3 of one, the last hold
		{"reference at 1080p, one group", hd, 1000, 1},
		{"small picture: as many (bitstream segments cost the same at any size)", input(repeat(3, 12), "fade", 0.5), 0, 8},
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
			var left float64
			for _, g := range gs {
				left += g.Cost
			}
			for i, g := range gs {
				if g.Index != i || g.Key != again[i].Key || g.Key != groupKey(g.Segments) {
					t.Errorf("group %d: index %d key %s, again %s", i, g.Index, g.Key, again[i].Key)
				}
				if want := math.Max(min/taperShare, math.Min(min, left/taperShare)); len(gs) > 1 && g.Cost < want-1e-9 {
					t.Errorf("group %d costs %.2f s, under %.2f", i, g.Cost, want)
				}
				left -= g.Cost
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

// An edit of a long show: the three segments that show the replaced picture (the fade into
// it, its hold, the fade out) are grouped alone, never with the cached segments beside them,
// and in more than one group so that two video slots share them (Groups over the whole plan
// puts each beside cached segments; cut alone at Groups' floor they would be one group,
// encoded one after another). GroupOf rebuilds each group from its segments' indexes, as a
// segment job on another worker does; with nothing cached GroupsToMake cuts as Groups.
func TestGroupsToMakeEdit(t *testing.T) {
	t.Parallel()
	in := input(repeat(3, 300), "fade", 0.5)
	in.Spec.Output.Resolution = "1920x1080"
	p, err := NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	changed := map[string]bool{}
	for _, sg := range p.Segments {
		for _, i := range sg.Slides {
			if i == 150 {
				changed[sg.Key] = true
			}
		}
	}
	if len(changed) != 3 {
		t.Fatalf("slide 150 is in %d segments, want 3", len(changed))
	}
	missing := func(sg Segment) bool { return changed[sg.Key] }
	gs := p.GroupsToMake(0, missing)
	if len(gs) < 2 {
		t.Errorf("the 3 new segments are in %d group: one slot encodes them one after another", len(gs))
	}
	n := 0
	for i, g := range gs {
		for _, sg := range g.Segments {
			if !changed[sg.Key] {
				t.Errorf("group %d holds cached segment %d", i, sg.Index)
			}
			n++
		}
		back, ok := p.GroupOf(g.Index, g.Key, g.SegmentIndexes())
		if !ok || back.Key != g.Key || back.Encoded != g.Encoded || len(back.Segments) != len(g.Segments) {
			t.Errorf("group %d rebuilt from its indexes: %+v, %v", i, back, ok)
		}
		if _, ok := p.GroupOf(g.Index, g.Key, []int{0}); ok {
			t.Errorf("group %d matched other segments", i)
		}
	}
	if n != 3 {
		t.Errorf("groups hold %d segments, want the 3 new ones", n)
	}
	// The premise: the whole plan's groups put a new segment beside cached ones.
	mixed := false
	for _, g := range p.Groups(0) {
		news := 0
		for _, sg := range g.Segments {
			if changed[sg.Key] {
				news++
			}
		}
		mixed = mixed || news > 0 && news < len(g.Segments)
	}
	if !mixed {
		t.Error("premise: no group of the whole plan mixes new and cached segments")
	}
	all, cold := p.Groups(0), p.GroupsToMake(0, func(Segment) bool { return true })
	if len(all) != len(cold) {
		t.Fatalf("nothing cached: %d groups to make, Groups %d", len(cold), len(all))
	}
	for i := range all {
		if all[i].Key != cold[i].Key {
			t.Errorf("nothing cached: group %d differs from Groups'", i)
		}
	}
}

// Two workers taking the reference show's groups in order finish close together, whatever
// head start one of them has (the coordinator also makes the poster and the music, the other
// worker picks its first job up a poll later): the one that finishes first idles at most about
// one fade's encoding, not a whole group of them. Equal groups of two fades each left it idle
// for up to both (0.64 estimated seconds, on renders of about 1.9).
func TestGroupsBalancedAcrossTwoWorkers(t *testing.T) {
	t.Parallel()
	hd := input(repeat(3, 12), "fade", 0.5)
	hd.Spec.Output.Resolution = "1920x1080"
	p, err := NewPlan(hd)
	if err != nil {
		t.Fatal(err)
	}
	gs := p.GroupsToMake(0, func(Segment) bool { return true })
	var unit float64 // the largest piece no cut can split: a fade with the hold before it
	uniq, _ := p.uniqueSegments(nil)
	costs := p.costs(uniq)
	for i := 0; i < len(costs); i++ {
		c := costs[i]
		if p.sharesWithNext(uniq, i) {
			c += costs[i+1]
			i++
		}
		unit = math.Max(unit, c)
	}
	worst, worstAt := 0.0, 0.0
	for late := 0.0; late <= 1; late += 0.01 {
		free := [2]float64{0, late} // when each worker takes its next group
		for _, g := range gs {
			w := 0
			if free[1] < free[0] {
				w = 1
			}
			free[w] += g.Cost
		}
		if idle := math.Abs(free[0] - free[1]); idle > worst {
			worst, worstAt = idle, late
		}
	}
	if worst > unit+1e-9 {
		t.Errorf("%d groups: with one worker %.2f s late, the other idles %.2f s at the end (more than the %.2f s of a fade with its hold)",
			len(gs), worstAt, worst, unit)
	}
}

// A run of segments fed to one ffmpeg (moving holds and the fades between them) costs one
// start of ffmpeg, not one a segment: its segments after the first go without startCost.
func TestGroupCostOfAFedRun(t *testing.T) {
	t.Parallel()
	in := input(repeat(3, 4), "fade", 0.5)
	in.Spec.Defaults.Motion = "zoom-in"
	p, err := NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	gs := p.Groups(1e9)
	if len(gs) != 1 {
		t.Fatalf("%d groups", len(gs))
	}
	var want float64
	for i, sg := range gs[0].Segments {
		if !sg.FedAlone() {
			t.Fatalf("segment %d is not fed alone: %+v", i, sg)
		}
		want += SegmentCost(sg, p.W, p.H, p.Encoder)
	}
	want -= float64(len(gs[0].Segments)-1) * startCost
	if math.Abs(gs[0].Cost-want) > 1e-9 {
		t.Fatalf("cost %.3f, want %.3f (%d segments, one start)", gs[0].Cost, want, len(gs[0].Segments))
	}
}
