package jobs

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// TestFanInIdempotent: every group job runs twice at once and once more afterwards, a job for
// a group that is not in the plan comes too, and two render jobs run at once and one again
// after the end. Each group is encoded once, the fan-in set holds every group, the coordinator
// finds them all cached and only assembles, and the video is assembled exactly once.
func TestFanInIdempotent(t *testing.T) {
	k := newRenderKit(t, 4, 1.5)
	log := &encodeLog{groups: map[string][]string{}}
	a, b := k.worker("a", 1, log), k.worker("b", 1, log)
	plan, groups := k.plan(a)
	if len(groups) < 3 {
		t.Fatalf("%d groups: the test needs several", len(groups))
	}
	id := k.render.ID

	var wg sync.WaitGroup
	for _, g := range groups {
		for _, w := range []*Worker{a, b} { // a duplicate job, at the same time
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := w.segmentJob(segmentArgs(id, g)); err != nil {
					t.Errorf("group %d: %v", g.Index, err)
				}
			}()
		}
	}
	wg.Wait()
	for _, g := range groups { // a retried job, after the group is done
		if err := b.segmentJob(segmentArgs(id, g)); err != nil {
			t.Errorf("retried group %d: %v", g.Index, err)
		}
	}
	stray := groups[0]
	stray.Key = "not-a-group-of-this-plan"
	if err := a.segmentJob(segmentArgs(id, stray)); err != nil {
		t.Errorf("stray group job: %v", err)
	}

	// Every group is encoded once and recorded in the fan-in set.
	conn := k.pool.Get()
	members, err := redis.Strings(conn.Do("SMEMBERS", doneKey(id)))
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != len(groups) {
		t.Errorf("fan-in set holds %d groups, want %d", len(members), len(groups))
	}
	for _, g := range groups {
		if n := len(log.groups[g.Key]); n != 1 {
			t.Errorf("group %d encoded %d times (%v)", g.Index, n, log.groups[g.Key])
		}
	}
	encoded := len(log.groups)

	for _, w := range []*Worker{a, b} { // two render jobs at once: one holds the lease
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.renderJob(renderArgs(id)); err != nil {
				t.Errorf("render job: %v", err)
			}
		}()
	}
	wg.Wait()
	if err := b.renderJob(renderArgs(id)); err != nil { // a retry after the end
		t.Errorf("late render job: %v", err)
	}
	k.checkOutput(plan)
	if log.assembled != 1 {
		t.Errorf("assembled %d times, want once", log.assembled)
	}
	if len(log.groups) != encoded {
		t.Errorf("the render encoded %d more groups although all were cached", len(log.groups)-encoded)
	}
	r, _ := k.store.GetRender(k.ctx, id)
	if r.FramesDone != plan.Frames || r.Progress != 100 || r.State != simvid.StateDone {
		t.Errorf("record ends at %d of %d frames, %.0f%%, %s", r.FramesDone, plan.Frames, r.Progress, r.State)
	}
}

// TestGroupsEncodedApartJoin: two workers with their own pools (one video slot each) share a
// render: the one running the render job encodes groups itself while the other takes the
// queued group jobs. The groups, encoded in different processes' ffmpeg, join into one valid
// MP4 of the planned frames and duration.
func TestGroupsEncodedApartJoin(t *testing.T) {
	k := newRenderKit(t, 8, 1.5)
	log := &encodeLog{groups: map[string][]string{}}
	a, b := k.worker("a", 1, log), k.worker("b", 1, log)
	plan, groups := k.plan(a)
	a.Start()
	b.Start()
	defer b.Stop(k.ctx)
	defer a.Stop(k.ctx)
	if err := a.client.EnqueueRender(k.ctx, k.render.ID); err != nil {
		t.Fatal(err)
	}
	seen := k.waitDone(30 * time.Second)
	k.checkOutput(plan)
	checkProgress(t, seen, plan.Frames)
	checkSharedGroups(t, log, groups)
	if log.assembled != 1 {
		t.Errorf("assembled %d times", log.assembled)
	}
}

// TestLapsedGroupTakenOver: a worker claimed a group and died (its lease is never renewed).
// The coordinator leaves the group alone while the lease lives, then takes it over; the
// render finishes whole, every group encoded once.
func TestLapsedGroupTakenOver(t *testing.T) {
	k := newRenderKit(t, 4, 1.5)
	log := &encodeLog{groups: map[string][]string{}}
	a := k.worker("a", 1, log)
	plan, groups := k.plan(a)
	dead := groups[1]
	ttl := 1500 * time.Millisecond
	if _, ok, err := acquireLease(k.ctx, k.pool, leaseKey("segment", dead.Key), "dead", ttl); !ok || err != nil {
		t.Fatalf("lease: %v %v", ok, err)
	}
	claimed := time.Now()
	var took time.Duration
	a.testHooks.groupEncoded = func(_ string, g render.Group, _ int) {
		log.mu.Lock()
		defer log.mu.Unlock()
		log.groups[g.Key] = append(log.groups[g.Key], "a")
		if g.Key == dead.Key {
			took = time.Since(claimed)
		}
	}
	if err := a.renderJob(renderArgs(k.render.ID)); err != nil {
		t.Fatal(err)
	}
	k.checkOutput(plan)
	for _, g := range groups {
		if n := len(log.groups[g.Key]); n != 1 {
			t.Errorf("group %d encoded %d times", g.Index, n)
		}
	}
	if took < ttl {
		t.Errorf("the held group was encoded %s after the claim, before its lease (%s) lapsed", took, ttl)
	}
	t.Logf("the lapsed group was taken over and done %s after the dead worker's claim", took.Round(time.Millisecond))
}

// checkProgress: frames across every group on every worker never go down, pass through the
// middle, and end with all of them. (An ETA is not asked for: a render of a few seconds may
// end before there is enough of it measured; TestETAOverARealRender checks the ETA.)
func checkProgress(t *testing.T, seen []simvid.Render, total int64) {
	t.Helper()
	var prev int64
	middle := false
	for _, r := range seen {
		if r.FramesDone < prev || r.FramesDone > total {
			t.Errorf("progress went from %d to %d of %d frames", prev, r.FramesDone, total)
		}
		if r.FramesDone > 0 && r.FramesDone < total && r.FramesTotal == total {
			middle = true
		}
		prev = r.FramesDone
	}
	if !middle || prev != total {
		t.Errorf("progress ended at %d of %d frames; saw a middle: %v", prev, total, middle)
	}
}

// A group's frame counter only rises: a takeover counting from zero again does not pull the
// render's progress back; marking the group done records it and drops its counter. The done
// set is read again only once it has grown.
func TestFrameCounterOnlyRises(t *testing.T) {
	pool := testPool(t)
	r := &frameReporter{pool: pool, renderID: "rnd_x", group: "g1"}
	read := func() int64 {
		f, err := readFanIn(context.Background(), pool, "rnd_x", 0)
		if err != nil {
			t.Fatal(err)
		}
		return f.frames["g1"]
	}
	r.frames(40)
	r.last = time.Time{} // skip the quarter-second throttle
	r.frames(10)
	if n := read(); n != 40 {
		t.Fatalf("counter %d after 40 then 10, want 40", n)
	}
	if err := markGroupDone(context.Background(), pool, "rnd_x", render.Group{Key: "g1", Encoded: 75}); err != nil {
		t.Fatal(err)
	}
	r2 := &frameReporter{pool: pool, renderID: "rnd_x", group: "g2"}
	r2.frames(5)
	if f, _ := readFanIn(context.Background(), pool, "rnd_x", 0); !f.done["g1"] || len(f.done) != 1 || f.frames["g2"] != 5 || len(f.frames) != 1 {
		t.Fatalf("after done: %+v, want g1 done and g2's frames alone", f)
	}
	if f, _ := readFanIn(context.Background(), pool, "rnd_x", 1); f.done != nil || f.frames["g2"] != 5 {
		t.Fatalf("the done set has not grown: %+v, want it not read again", f)
	}
	clearFanIn(pool, "rnd_x")
	if f, _ := readFanIn(context.Background(), pool, "rnd_x", 1); len(f.done) != 0 || len(f.frames) != 0 {
		t.Fatalf("after clear: %+v", f)
	}
}

// checkSharedGroups: every group was encoded exactly once, and workers a and b both encoded
// some.
func checkSharedGroups(t *testing.T, log *encodeLog, groups []render.Group) {
	t.Helper()
	by := map[string]int{}
	for _, g := range groups {
		names := log.groups[g.Key]
		if len(names) != 1 {
			t.Errorf("group %d encoded by %v", g.Index, names)
		}
		for _, n := range names {
			by[n]++
		}
	}
	t.Logf("%d groups: %v", len(groups), by)
	if by["a"] == 0 || by["b"] == 0 {
		t.Errorf("groups by worker %v: both workers should have encoded some", by)
	}
}
