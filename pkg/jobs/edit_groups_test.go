package jobs

import (
	"os"
	"testing"

	"github.com/gocraft/work"
	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// TestEditMakesOnlyItsSegments: one picture of a rendered show replaced, the render again
// groups only the segments missing from the cache (the fade into the picture, its hold, the
// fade out): every group it encodes is all new segments (before, the groups of the whole plan
// put the new segments beside cached ones), its fan-in records only those groups (before:
// every group of the show, cached or not, one Redis round trip each), and a worker that did
// not plan the render takes one of them from the queued payload, which names its segments.
func TestEditMakesOnlyItsSegments(t *testing.T) {
	k := newRenderKit(t, 6, 1.5)
	log := &encodeLog{groups: map[string][]string{}}
	a, b := k.worker("a", 1, log), k.worker("b", 1, log)
	a.Opts.GroupCost, b.Opts.GroupCost = 0, 0 // as configured by default: sized by the work to make
	if err := a.renderJob(renderArgs(k.render.ID)); err != nil {
		t.Fatal(err)
	}
	swap := k.picture(k.render.ProjectID, "0xffffff")
	k.rerender(func(s *simvid.Spec) { s.Slides[3].Asset = swap.ID })
	plan, _ := k.plan(a)
	missing := func(sg render.Segment) bool {
		_, err := os.Stat(a.Engine.SegmentPath(sg.Key))
		return err != nil
	}
	groups := plan.GroupsToMake(a.Opts.GroupCost, missing)
	if len(groups) < 2 {
		t.Fatalf("%d groups to make: the test needs two", len(groups))
	}
	var made []string
	a.testHooks.groupEncoded = func(_ string, g render.Group, n int) {
		log.mu.Lock()
		defer log.mu.Unlock()
		log.segments += n
		made = append(made, g.Key)
		if n != len(g.Segments) {
			t.Errorf("a group of %d segments encoded %d: it held cached ones", len(g.Segments), n)
		}
	}
	b.testHooks.groupEncoded = a.testHooks.groupEncoded
	before := log.segments
	// The first group, as EnqueueSegment queues it, on b, which has no plan of this render.
	g := groups[0]
	job := &work.Job{Name: JobSegment, ID: "s-0", Args: map[string]any{"render_id": k.render.ID,
		"group": float64(g.Index), "key": g.Key, "segments": jsonInts(g.SegmentIndexes()), "v": PayloadVersion}}
	if err := b.segmentJob(job); err != nil {
		t.Fatal(err)
	}
	if len(made) != 1 || made[0] != g.Key {
		t.Fatalf("b encoded %v, want group 0 from its payload", made)
	}
	var members []string // the fan-in as the coordinator leaves it for the join
	a.testHooks.assembling = func(id string) {
		conn := k.pool.Get()
		defer conn.Close()
		var err error
		if members, err = redis.Strings(conn.Do("SMEMBERS", doneKey(id))); err != nil {
			t.Error(err)
		}
	}
	if err := a.renderJob(renderArgs(k.render.ID)); err != nil {
		t.Fatal(err)
	}
	k.checkOutput(plan)
	if n := log.segments - before; n != 3 {
		t.Errorf("the edit encoded %d segments, want 3", n)
	}
	if len(members) != len(groups) {
		t.Errorf("the edit's fan-in recorded %d groups, want the %d it made", len(members), len(groups))
	}
}

// jsonInts is a list of ints as a payload read from the queue holds it.
func jsonInts(v []int) []any {
	out := make([]any, len(v))
	for i, n := range v {
		out[i] = float64(n)
	}
	return out
}
