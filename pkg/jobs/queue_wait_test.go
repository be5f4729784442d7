package jobs

import (
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/metrics"
)

// TestSegmentQueueWaitOnlyForEncodedGroups: simvid_queue_wait_seconds{job="segment"} counts
// the segment jobs that encoded their group, not the ones that found it made already. One
// worker takes a group's job first and encodes it; then it runs the render job, whose
// coordinator encodes every other group itself, and afterwards it drains the render's stale
// group jobs (queued seconds ago, nothing left to do). One wait is recorded, not one a job.
func TestSegmentQueueWaitOnlyForEncodedGroups(t *testing.T) {
	k := newRenderKit(t, 4, 1.5)
	a := k.worker("a", 1, &encodeLog{groups: map[string][]string{}})
	a.Metrics = metrics.New()
	plan, groups := k.plan(a)
	if len(groups) < 2 {
		t.Fatalf("%d groups: the test needs two", len(groups))
	}
	id := k.render.ID
	queued := func(i int) {
		job := segmentArgs(id, groups[i])
		job.Args["queued_ms"] = float64(time.Now().Add(-2 * time.Second).UnixMilli())
		if err := a.segmentJob(job); err != nil {
			t.Fatalf("group %d: %v", i, err)
		}
	}
	queued(0)
	if err := a.renderJob(renderArgs(id)); err != nil {
		t.Fatal(err)
	}
	k.checkOutput(plan)
	for i := range groups[1:] {
		queued(i + 1)
	}
	if n := segmentWaits(t, a.Metrics); n != 1 {
		t.Errorf("%d segment queue waits recorded for 1 group a segment job encoded (and %d stale jobs)", n, len(groups)-1)
	}
}

// segmentWaits is the count of simvid_queue_wait_seconds{job="segment"}.
func segmentWaits(t *testing.T, m *metrics.Metrics) uint64 {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "simvid_queue_wait_seconds" {
			continue
		}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "job" && l.GetValue() == JobSegment {
					return s.GetHistogram().GetSampleCount()
				}
			}
		}
	}
	return 0
}
