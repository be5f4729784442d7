package events

import (
	"fmt"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

func rec(id string, state simvid.RenderState, updated time.Time) *simvid.Render {
	return &simvid.Render{ID: id, ProjectID: "project_" + id, State: state, UpdatedAt: updated,
		Spec: simvid.Spec{Output: simvid.Output{Resolution: "640x360"}, Slides: make([]simvid.Slide, 3)}}
}

// The cache answers only while subscribed, keeps the newest record of each render, refuses a
// read made before the subscription came or went, trusts a record for a bounded time, and
// holds at most its bound of renders, dropping the least recently used.
func TestStatusCache(t *testing.T) {
	now := time.Now()
	c := newStatusCache(4)
	e := c.current()
	c.put(rec("a", simvid.StateRendering, now), e, now)
	if _, ok := c.get("a", now); ok {
		t.Fatal("a record was kept while the cache was not subscribed")
	}

	e = c.setLive(true)
	c.put(rec("a", simvid.StateRendering, now), e, now)
	r, ok := c.get("a", now)
	if !ok || r.State != simvid.StateRendering {
		t.Fatalf("get after put: %v %v", r, ok)
	}
	if len(r.Spec.Slides) != 0 || r.Spec.Output.Resolution != "640x360" {
		t.Errorf("cached spec keeps %d slides and output %+v; want the output alone", len(r.Spec.Slides), r.Spec.Output)
	}

	c.put(rec("a", simvid.StateDone, now.Add(time.Second)), e, now)
	c.put(rec("a", simvid.StateRendering, now), e, now) // a read that trails the change
	if r, _ := c.get("a", now); r.State != simvid.StateDone {
		t.Errorf("an older record replaced a newer one: %s", r.State)
	}

	c.put(rec("b", simvid.StateRendering, now), e, now)
	if _, ok := c.get("b", now.Add(RecheckEvery)); ok {
		t.Error("an unfinished render was trusted past RecheckEvery without news")
	}
	if _, ok := c.get("a", now.Add(RecheckEvery)); !ok {
		t.Error("a finished render was not trusted past RecheckEvery")
	}
	if _, ok := c.get("a", now.Add(FinishedTrust)); ok {
		t.Error("a finished render was trusted past FinishedTrust")
	}

	old := e
	e = c.setLive(false)
	if _, ok := c.get("a", now); ok || c.len() != 0 {
		t.Fatalf("the cache kept %d records after the subscription went down", c.len())
	}
	e = c.setLive(true)
	c.put(rec("a", simvid.StateRendering, now), old, now)
	if _, ok := c.get("a", now); ok {
		t.Error("a read begun before the subscription dropped was kept")
	}

	for i := range 6 {
		c.put(rec(fmt.Sprint("r", i), simvid.StateQueued, now), e, now)
		if i == 3 {
			c.get("r0", now) // used: kept over r1 and r2
		}
	}
	if c.len() != 4 {
		t.Errorf("%d records held; the bound is 4", c.len())
	}
	for id, want := range map[string]bool{"r0": true, "r1": false, "r2": false, "r3": true, "r4": true, "r5": true} {
		if _, ok := c.get(id, now); ok != want {
			t.Errorf("%s held: %v, want %v", id, ok, want)
		}
	}

	c.forgetProject("project_r4")
	if _, ok := c.get("r4", now); ok || c.len() != 3 {
		t.Errorf("a deleted project's render is still held (%d records)", c.len())
	}
}
