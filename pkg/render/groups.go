package render

import "strings"

// Group is a run of a plan's distinct segments that one queue job encodes, one ffmpeg per
// segment. Grouping keeps a job's fixed cost (being picked from the queue, loading the
// record, planning again) small next to the encoding it does.
type Group struct {
	Index    int
	Key      string    // hash of its segment keys: the group's identity across workers
	Segments []Segment // distinct keys, in plan order
	Frames   int64     // frames these segments fill in the video (a repeated segment counts each time)
	Encoded  int64     // frames encoded for them (each distinct segment once)
	Cost     float64   // estimated encoding seconds on one core
}

// Cost model, measured with ffmpeg 5.1 on one core of the 2-core bench machine
// (1920x1080, veryfast, -threads 1). Segments made in the bitstream (Making: holds, short
// fades) cost repeatCost or dissolveCost whatever their length. For segments encoded frame by
// frame: starting ffmpeg and writing the first frame of a segment takes 0.2 s; each further frame of a hold costs 12 ms (6 ns a pixel, with the still-picture
// tuning), of an xfade transition 45 ms (22 ns a pixel: two inputs taken to 4:4:4 and back,
// with the same tuning; 125 ms before transitions took it), of a fade 21.5 ms (10 ns a pixel:
// blended in 4:2:0, see TransitionFilter). The fade's: SegmentArgs' argv of a fade between the
// corpus stills 01.png and 02.png fitted to 1920x1080, 15 and 45 frames, run by ffmpeg with
// the standard encoder and Threads 1, user+sys CPU, the least of 3 runs: 0.50 and 1.15 s
// (xfade's fade, measured alongside: 0.75 and 1.77 s).
// A segment job's own fixed cost, measured the same way: 0.2 ms for the record, the inputs,
// the plan, the cache check and the fan-in (SQLite on the same host), plus up to 100 ms for
// an idle worker's poll to pick it up; 0.15 s leaves room for a remote database. MinGroupCost
// keeps it under 10% of the encoding a job does.
const (
	startCost        = 0.2
	holdPixelCost    = 6e-9
	fadePixelCost    = 10e-9
	xfadePixelCost   = 22e-9
	jobOverhead      = 0.15
	jobOverheadShare = 0.1
	MinGroupCost     = jobOverhead / jobOverheadShare
)

// spreadGroups and minGroupFloor: see Groups. A group of 0.4 s carries a job's own cost
// (0.05 s: the record, the plan, the cache check and the fan-in, and half of an idle
// worker's 100 ms poll) at about 12%.
const (
	spreadGroups  = 10
	minGroupFloor = 0.4
)

// repeatCost and dissolveCost are what a segment made in the bitstream costs at 1080p,
// whatever its length: one ffmpeg start that encodes its first frame (a hold: 0.2 CPU
// seconds) or its two end frames (a fade: 0.3), and a few milliseconds of Go to write the
// frames between and the MP4. (Measured again on 2026-12-05 with the machine at a load of
// 34, FirstFrameArgs' and EndFramesArgs' argv between two corpus stills, Threads 1, the
// least of 7 runs: 0.28 and 0.37 CPU s, a null ffmpeg 0.17: the same proportions.)
const repeatCost, dissolveCost = 0.2, 0.3

// sharedHoldCost is a hold that takes its first frame from the fade after it
// (SharesFirstFrame): no ffmpeg, only the Go that finds the picture in the fade's stream and
// writes the hold's frames and MP4 (16 ms for an 83-frame hold at 1080p, at that load).
const sharedHoldCost = 0.02

// SegmentCost estimates the seconds one core spends making seg at w x h with enc.
func SegmentCost(seg Segment, w, h int, enc Encoder) float64 {
	switch seg.Making(enc) {
	case Repeated:
		return repeatCost
	case Dissolved:
		return dissolveCost
	}
	if c := seg.Clip; c != nil {
		return clipCost(seg, w, h)
	}
	px := holdPixelCost
	if seg.Kind == KindTransition {
		px = xfadePixelCost
		if blended420(seg.Transition) {
			px = fadePixelCost
		}
	}
	return startCost + float64(seg.Frames-1)*float64(w*h)*px
}

// GroupCost is the least estimated cost of a group: minCost, or when minCost <= 0,
// MinGroupCost, lowered for a render with little to encode (most of its frames made in the
// bitstream) so that it is still cut into about spreadGroups groups, down to minGroupFloor:
// then its last group is short and the workers finish together.
func (p *Plan) GroupCost(minCost float64) float64 {
	if minCost > 0 {
		return minCost
	}
	uniq, _ := p.uniqueSegments(nil)
	var total float64
	for _, c := range p.costs(uniq) {
		total += c
	}
	return max(minGroupFloor, min(MinGroupCost, total/spreadGroups))
}

// uniqueSegments returns the plan's distinct segments for which keep reports true (all for
// nil), in order, and how often each segment appears in the plan.
func (p *Plan) uniqueSegments(keep func(Segment) bool) ([]Segment, map[string]int64) {
	count := map[string]int64{}
	var uniq []Segment
	for _, sg := range p.Segments {
		if count[sg.Key] == 0 && (keep == nil || keep(sg)) {
			uniq = append(uniq, sg)
		}
		count[sg.Key]++
	}
	return uniq, count
}

// costs are SegmentCost of the distinct segments uniq, but sharedHoldCost for a hold that
// takes its first frame from the fade after it (SharesFirstFrame), which cut keeps in
// its group, and without startCost for a segment that joins the fed run of the one before
// it (FedRunJoins): the run's one ffmpeg started there.
func (p *Plan) costs(uniq []Segment) []float64 {
	c := make([]float64, len(uniq))
	for i, sg := range uniq {
		c[i] = SegmentCost(sg, p.W, p.H, p.Encoder)
		if p.sharesWithNext(uniq, i) {
			c[i] = sharedHoldCost
		} else if i > 0 && FedRunJoins(uniq[i-1], sg) {
			c[i] -= startCost
		}
	}
	return c
}

// sharesWithNext reports whether uniq[i] is a hold that takes its first frame from the fade
// after it.
func (p *Plan) sharesWithNext(uniq []Segment, i int) bool {
	return i+1 < len(uniq) && SharesFirstFrame(uniq[i], uniq[i+1], p.Encoder)
}

// Groups cuts the plan's distinct segments, in order, into groups of at least minCost
// estimated seconds (MinGroupCost when minCost <= 0), smaller toward the end (taperShare).
// A hold that takes its first frame from the fade after it is never cut from that fade.
// The result depends only on the plan and minCost, so every worker computes the same groups.
func (p *Plan) Groups(minCost float64) []Group {
	return p.cut(p.GroupCost(minCost), nil)
}

// GroupsToMake is Groups over the distinct segments that missing reports (those not in the
// cache), sized by what there is to make: at least minCost when it is positive, otherwise
// MinGroupCost or a tenth of the work to make (spreadGroups), whichever is less, with no
// floor. So an edit's few new segments are groups of their own, one or two segments each,
// that the video slots encode at the same time, instead of riding in the groups of cached
// segments their neighbours in the plan would put them in (one slot encoding them one after
// another), and a render with most of its segments cached looks at only the groups it makes.
// With nothing cached it cuts as Groups does, unless the whole render is cheaper than
// spreadGroups times minGroupFloor. Its groups depend on the cache, which changes, so a
// segment job names its group's segments (Segment.Index) rather than recomputing them.
func (p *Plan) GroupsToMake(minCost float64, missing func(Segment) bool) []Group {
	if minCost <= 0 {
		uniq, _ := p.uniqueSegments(missing)
		var total float64
		for _, c := range p.costs(uniq) {
			total += c
		}
		minCost = min(MinGroupCost, total/spreadGroups)
	}
	return p.cut(minCost, missing)
}

// taperShare: no group takes more than 1/taperShare of the work not yet grouped when it
// starts, down to 1/taperShare of the least group cost. Toward the end of a render the
// groups shrink, so the workers finish within a short group of each other: with groups of
// equal size one worker encoded the last group while the others waited (at two workers on
// the reference show, groups of two fades each, a worker idled up to a sixth of the render).
// Four is two workers each finishing the last half of what is left; the groups before the
// tail keep their least cost, and a job's own cost (a few milliseconds for a busy worker: the
// record, the plan, the fan-in) stays small next to the smallest group.
const taperShare = 4

// cut groups the distinct segments for which keep reports true (all for nil) in plan order,
// each group at least minCost or, toward the end, a quarter of what is left (taperShare, not
// under a quarter of minCost), a short tail joining the group before it; a hold that takes
// its first frame from the fade after it stays in that fade's group.
func (p *Plan) cut(minCost float64, keep func(Segment) bool) []Group {
	uniq, count := p.uniqueSegments(keep)
	costs := p.costs(uniq)
	var left float64 // the cost of the segments not yet in a finished group
	for _, c := range costs {
		left += c
	}
	target := max(minCost/taperShare, min(minCost, left/taperShare))
	var groups []Group
	var cur Group
	flush := func() {
		if len(cur.Segments) == 0 {
			return
		}
		cur.Index = len(groups)
		cur.Key = groupKey(cur.Segments)
		groups = append(groups, cur)
		left -= cur.Cost
		target = max(minCost/taperShare, min(minCost, left/taperShare))
		cur = Group{}
	}
	for i, sg := range uniq {
		cur.Segments = append(cur.Segments, sg)
		cur.Frames += sg.Frames * count[sg.Key]
		cur.Encoded += sg.Frames
		cur.Cost += costs[i]
		if cur.Cost >= target && !p.sharesWithNext(uniq, i) { // a hold stays with its fade
			flush()
		}
	}
	if len(cur.Segments) > 0 && len(groups) > 0 && cur.Cost < target {
		last := &groups[len(groups)-1]
		last.Segments = append(last.Segments, cur.Segments...)
		last.Frames += cur.Frames
		last.Encoded += cur.Encoded
		last.Cost += cur.Cost
		last.Key = groupKey(last.Segments)
		cur = Group{}
	}
	flush()
	return groups
}

// GroupOf rebuilds a group from the indexes of its segments in the plan (a segment job's
// payload), checking them against the group's key; ok is false when they do not match. Its
// Frames count each segment once, as Encoded does: a segment job does not look through the
// whole plan for repeats (the coordinator, which reports the video's frames, has them).
func (p *Plan) GroupOf(index int, key string, segments []int) (g Group, ok bool) {
	g.Index = index
	for _, i := range segments {
		if i < 0 || i >= len(p.Segments) {
			return Group{}, false
		}
		sg := p.Segments[i]
		g.Segments = append(g.Segments, sg)
		g.Frames += sg.Frames
		g.Encoded += sg.Frames
		g.Cost += SegmentCost(sg, p.W, p.H, p.Encoder)
	}
	g.Key = groupKey(g.Segments)
	return g, len(g.Segments) > 0 && g.Key == key
}

// SegmentIndexes are the plan indexes of g's segments (for GroupOf).
func (g Group) SegmentIndexes() []int {
	out := make([]int, len(g.Segments))
	for i, sg := range g.Segments {
		out[i] = sg.Index
	}
	return out
}

// clipPixelCost is a rough cost of decoding a pixel of a clip (HEVC 10-bit at 4K is about
// twice H.264's) and clipFramePixelCost that of preparing and encoding an output pixel that
// moves (no still-picture tuning, every macroblock searched).
const clipPixelCost, clipFramePixelCost = 4e-9, 14e-9

// clipCost estimates a clip segment: every source frame its run covers decoded, every output
// frame prepared and encoded.
func clipCost(seg Segment, w, h int) float64 {
	c := seg.Clip
	src := float64(max(1, c.Src.CodedW*c.Src.CodedH, c.Src.Width*c.Src.Height))
	decoded := float64(seg.Frames) * c.Src.Speed * max(1, clipFPS(&c.Src)/float64(seg.FPS))
	return startCost + decoded*src*clipPixelCost + float64(seg.Frames)*float64(w*h)*clipFramePixelCost
}

func groupKey(segs []Segment) string {
	keys := make([]string, len(segs))
	for i, sg := range segs {
		keys[i] = sg.Key
	}
	return keyOf("group", strings.Join(keys, ","))
}
