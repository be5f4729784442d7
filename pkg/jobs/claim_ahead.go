package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gomodule/redigo/redis"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/render"
)

// A render's groups are cut small so that the workers finish together, but a group whose
// segments are all made in the bitstream from keyframes one x264 encodes (render.FedKeyframes)
// costs mostly that x264's start: the reference show's 8 groups started 8 fed keyframes runs
// (2.78 CPU s) where `simvid render` starts 2 (1.68). So a job that holds such a group claims
// later ones of the same kind too, as many as its share (claimAhead), and makes all their
// keyframes in one run and their segments after it. The claims are the groups' own leases in
// Redis: a group is encoded by whoever holds its lease, on any host, and a job, the
// coordinator or a takeover that finds it held leaves it to the holder, as before.

// groupsKey holds a render's groups (publishGroups), for the segment jobs of other processes:
// a job's payload names its own group only.
func groupsKey(renderID string) string { return "simvid:fanin:groups:" + renderID }

// aheadShare: a job takes at most 1/aheadShare of the fed groups' work not yet claimed,
// its own group included, but not less than 1/taperGroups of the render's fed work (and not
// more than aheadMaxCost). Two workers starting together then take a half and a quarter,
// and whoever is first free the last quarter: three runs, finishing together, where each
// group had its own. aheadMaxCost keeps the keyframes a run holds in memory (Go reads them
// all when the run ends; a 1080p photo's keyframe is up to 0.4 MB) to some 20 fades.
const (
	aheadShare   = 2
	taperGroups  = 4
	aheadMaxCost = 4 * render.MinGroupCost
)

// publishedGroup is a group as publishGroups stores it.
type publishedGroup struct {
	Index    int     `json:"i"`
	Key      string  `json:"k"`
	Segments []int   `json:"s"`
	Cost     float64 `json:"c"`
}

// publishGroups stores the render's groups for loadGroups. A failure only costs the other
// processes' jobs their claims ahead (logged by the caller).
func publishGroups(ctx context.Context, pool *redis.Pool, renderID string, groups []render.Group) error {
	pub := make([]publishedGroup, len(groups))
	for i, g := range groups {
		pub[i] = publishedGroup{Index: g.Index, Key: g.Key, Segments: g.SegmentIndexes(), Cost: g.Cost}
	}
	b, err := json.Marshal(pub)
	if err != nil {
		return fmt.Errorf("jobs: groups: %w", err)
	}
	conn, err := pool.GetContext(ctx)
	if err != nil {
		return fmt.Errorf("jobs: groups: %w", err)
	}
	defer conn.Close()
	if _, err := conn.Do("SET", groupsKey(renderID), b, "PX", fanInTTL.Milliseconds()); err != nil {
		return fmt.Errorf("jobs: groups: %w", err)
	}
	return nil
}

// loadGroups reads the render's groups stored by its coordinator and rebuilds them from plan;
// nil when there are none or they do not match the plan (another attempt's, or an older
// release's coordinator).
func loadGroups(ctx context.Context, pool *redis.Pool, renderID string, plan *render.Plan) []render.Group {
	conn, err := pool.GetContext(ctx)
	if err != nil {
		return nil
	}
	defer conn.Close()
	b, err := redis.Bytes(conn.Do("GET", groupsKey(renderID)))
	if err != nil {
		return nil
	}
	var pub []publishedGroup
	if json.Unmarshal(b, &pub) != nil {
		return nil
	}
	groups := make([]render.Group, len(pub))
	for i, pg := range pub {
		g, ok := plan.GroupOf(pg.Index, pg.Key, pg.Segments)
		if !ok || pg.Index != i {
			return nil
		}
		g.Cost = pg.Cost
		groups[i] = g
	}
	return groups
}

// fedGroup reports whether every segment of g has its keyframes made by one fed x264.
func fedGroup(g render.Group, enc render.Encoder) bool {
	for _, sg := range g.Segments {
		if !render.FedKeyframes(sg, enc) {
			return false
		}
	}
	return len(g.Segments) > 0
}

// claimed is a group claimed ahead and its lease.
type claimed struct {
	group render.Group
	lease *lease
}

// claimAhead claims, for the job that holds g, later groups of groups (the render's, in
// order; nil: none known) that are fed like g (fedGroup), free (neither held by another
// worker nor done) and within the job's share (aheadShare). It never fails: a group it does
// not claim stays with its own job or the coordinator.
func (w *Worker) claimAhead(ctx context.Context, renderID string, g render.Group, groups []render.Group, enc render.Encoder) []claimed {
	if g.Index < 0 || g.Index+1 >= len(groups) || groups[g.Index].Key != g.Key || !fedGroup(g, enc) {
		return nil
	}
	var total float64
	var later []render.Group
	for _, gr := range groups {
		if !fedGroup(gr, enc) {
			continue
		}
		total += gr.Cost
		if gr.Index > g.Index {
			later = append(later, gr)
		}
	}
	free, err := freeGroups(ctx, w.Pool, renderID, later)
	if err != nil {
		w.Log.Debug("groups ahead not claimed", zap.Error(err))
		return nil
	}
	left := g.Cost
	for _, gr := range free {
		left += gr.Cost
	}
	target := min(aheadMaxCost, max(total/taperGroups, left/aheadShare))
	var out []claimed
	for have := g.Cost; have < target && len(free) > 0; free = free[1:] {
		l, err := w.claimGroup(ctx, renderID, free[0])
		if err != nil {
			break
		}
		if l != nil {
			out = append(out, claimed{group: free[0], lease: l})
			have += free[0].Cost
		}
	}
	return out
}

// freeGroups are those of groups that no worker holds and the render's fan-in does not
// record done, in order.
func freeGroups(ctx context.Context, pool *redis.Pool, renderID string, groups []render.Group) ([]render.Group, error) {
	if len(groups) == 0 {
		return nil, nil
	}
	conn, err := pool.GetContext(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	for _, g := range groups {
		_ = conn.Send("EXISTS", leaseKey("segment", g.Key))
		_ = conn.Send("SISMEMBER", doneKey(renderID), g.Key)
	}
	if err := conn.Flush(); err != nil {
		return nil, err
	}
	var free []render.Group
	for _, g := range groups {
		held, err1 := redis.Int(conn.Receive())
		done, err2 := redis.Int(conn.Receive())
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		if held == 0 && done == 0 {
			free = append(free, g)
		}
	}
	return free, nil
}

// merged is g with the segments of the groups claimed ahead after its own, in plan order.
func merged(g render.Group, ahead []claimed) render.Group {
	if len(ahead) == 0 {
		return g
	}
	m := g
	m.Segments = append([]render.Segment(nil), g.Segments...)
	for _, c := range ahead {
		m.Segments = append(m.Segments, c.group.Segments...)
		m.Frames += c.group.Frames
		m.Encoded += c.group.Encoded
		m.Cost += c.group.Cost
	}
	return m
}

// groupFrames reports the frames written across groups encoded one after another (in order)
// as each group's own count, for the coordinator's progress.
func groupFrames(pool *redis.Pool, renderID string, groups []render.Group) func(int64) {
	reps := make([]*frameReporter, len(groups))
	for i, gr := range groups {
		reps[i] = &frameReporter{pool: pool, renderID: renderID, group: gr.Key}
	}
	return func(n int64) {
		for i, gr := range groups {
			if n <= gr.Encoded || i == len(groups)-1 {
				reps[i].frames(min(n, gr.Encoded))
				return
			}
			n -= gr.Encoded
		}
	}
}
