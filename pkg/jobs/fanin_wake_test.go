package jobs

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/engine"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// TestCoordinatorWokenByDoneGroup: the coordinator learns that another worker finished a group
// at once, not at its next poll. Every group is held by another worker (the coordinator cannot
// take one), and that worker records them done one at a time; the coordinator's progress shows
// each within a few milliseconds (it polled every 150 ms: a median of about 75 ms).
func TestCoordinatorWokenByDoneGroup(t *testing.T) {
	log := zaptest.NewLogger(t)
	pool := testPool(t)
	w, err := NewWorker(Deps{Pool: pool, Log: log, Opts: Options{LeaseTTL: time.Minute}}, map[string]int{QueueVideo: 1})
	if err != nil {
		t.Fatal(err)
	}
	id := simvid.NewID(simvid.PrefixRender)
	var groups []render.Group
	for i := range 9 {
		groups = append(groups, render.Group{Index: i, Key: fmt.Sprintf("%s-group-%d", id, i), Frames: 10, Encoded: 10, Cost: 1})
	}
	plan := &render.Plan{Frames: 90}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, g := range groups { // held by a worker that is encoding them
		l, ok, err := acquireLease(ctx, pool, leaseKey("segment", g.Key), "other", time.Minute)
		if err != nil || !ok {
			t.Fatalf("lease of group %d: %v %v", g.Index, ok, err)
		}
		defer l.release()
	}
	seen := make(chan int64, 1000)
	report := func(p engine.Progress) { seen <- p.FramesDone }
	ended := make(chan error, 1)
	go func() {
		_, err := w.waitGroups(ctx, id, plan, groups, 0, report, log)
		ended <- err
	}()
	var lags []time.Duration
	var frames int64
	for _, g := range groups {
		time.Sleep(40 * time.Millisecond) // the coordinator is waiting again
		for len(seen) > 0 {
			<-seen
		}
		frames += g.Frames
		at := time.Now()
		if err := markGroupDone(ctx, pool, id, g); err != nil {
			t.Fatal(err)
		}
		for done := int64(0); done < frames; {
			select {
			case done = <-seen:
			case <-ctx.Done():
				t.Fatal("the coordinator never saw the group done")
			}
		}
		lags = append(lags, time.Since(at))
	}
	if err := <-ended; err != nil {
		t.Fatal(err)
	}
	slices.Sort(lags)
	t.Logf("from a group recorded done to the coordinator's progress: %v", lags)
	if med := lags[len(lags)/2]; med > 30*time.Millisecond {
		t.Errorf("the coordinator took %v (median) to see a group done by another worker: want under 30 ms", med)
	}
}
