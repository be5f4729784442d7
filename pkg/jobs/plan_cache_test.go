package jobs

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

// assetReads counts the asset records a worker reads.
type assetReads struct {
	store.Store
	n atomic.Int64
}

func (s *assetReads) GetAsset(ctx context.Context, id string) (*simvid.Asset, error) {
	s.n.Add(1)
	return s.Store.GetAsset(ctx, id)
}

// A render's group jobs plan it once per worker, not once per group: the pictures' records
// are read by the first job only (before, every group job read every picture's record and
// planned the whole show again: work growing with the slides times the groups), and every
// group is still encoded and recorded.
func TestSegmentJobsPlanOnce(t *testing.T) {
	k := newRenderKit(t, 6, 1.5)
	w := k.worker("a", 1, &encodeLog{groups: map[string][]string{}})
	_, groups := k.plan(w)
	if len(groups) < 3 {
		t.Fatalf("%d groups: the test needs several", len(groups))
	}
	reads := &assetReads{Store: k.store}
	w.Store = reads
	for _, g := range groups {
		if err := w.segmentJob(segmentArgs(k.render.ID, g)); err != nil {
			t.Fatalf("group %d: %v", g.Index, err)
		}
	}
	if n, most := reads.n.Load(), int64(len(k.assets)); n > most {
		t.Errorf("%d group jobs read %d asset records; want at most %d (one plan for the render)", len(groups), n, most)
	}
	conn := k.pool.Get()
	defer conn.Close()
	members, err := redis.Strings(conn.Do("SMEMBERS", doneKey(k.render.ID)))
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != len(groups) {
		t.Errorf("fan-in set holds %d groups, want %d", len(members), len(groups))
	}
}

// The cache keeps the latest planCacheSize renders.
func TestPlanCacheBounded(t *testing.T) {
	c := newPlanCache()
	for i := 0; i < planCacheSize+3; i++ {
		c.put(fmt.Sprint("r", i), plannedRender{})
	}
	c.put("r5", plannedRender{}) // again: no second entry
	if len(c.plans) != planCacheSize || len(c.order) != planCacheSize {
		t.Fatalf("%d plans, %d in order; want %d", len(c.plans), len(c.order), planCacheSize)
	}
	for i := 0; i < planCacheSize+3; i++ {
		_, ok := c.get(fmt.Sprint("r", i))
		if want := i >= 3; ok != want {
			t.Errorf("r%d cached %v, want %v", i, ok, want)
		}
	}
}

// A render reads its pictures' records in one query of the project's, not one per slide (a
// 300-picture show read 300 records before every render); a picture that is not ready yet
// (fetched from a link) is still read on its own and waited for.
func TestInputsReadAtOnce(t *testing.T) {
	k := newRenderKit(t, 5, 1.5)
	w := k.worker("a", 1, &encodeLog{groups: map[string][]string{}})
	reads := &assetReads{Store: k.store}
	w.Store = reads
	r, err := k.store.GetRender(k.ctx, k.render.ID)
	if err != nil {
		t.Fatal(err)
	}
	in, paths, err := w.loadInputs(k.ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if n := reads.n.Load(); n != 0 {
		t.Errorf("%d asset records read one by one for %d slides; want none", n, len(r.Spec.Slides))
	}
	for _, a := range k.assets {
		if img, ok := in.Images[a.ID]; !ok || img.SHA256 != a.SHA256 || paths.images[a.ID] == "" {
			t.Errorf("asset %s: %+v in the input, path %q", a.ID, img, paths.images[a.ID])
		}
	}

	late := k.assets[2]
	setState := func(s simvid.AssetState) {
		if _, err := k.store.UpdateAsset(k.ctx, late.ID, func(a *simvid.Asset) error { a.State = s; return nil }); err != nil {
			t.Error(err)
		}
	}
	setState(simvid.AssetFetching)
	go func() { time.Sleep(400 * time.Millisecond); setState(simvid.AssetReady) }()
	if in, _, err = w.loadInputs(k.ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, ok := in.Images[late.ID]; !ok || reads.n.Load() < 2 {
		t.Errorf("a picture being fetched: in the input %v after %d reads of its own", ok, reads.n.Load())
	}
}
