package events

import (
	"container/list"
	"sync"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

// How long a cached status is answered without reading the database again. Changes arrive by
// the subscription, so these bound only what a lost publish (a worker's failed PUBLISH) can
// hide: an unfinished render for as long as a stream may miss it (RecheckEvery); a finished
// one, which changes only by an admin's retry or its project's deletion (both published), for
// longer.
const (
	FinishedTrust = time.Minute
	cacheMax      = 1 << 13 // renders; a few hundred bytes each
)

// statusCache keeps the latest record of the renders this process has seen lately, fed by
// the hub's subscription and by the database reads made on a miss. It trusts nothing while
// the subscription is down, and forgets everything when it goes down, because changes
// published during the gap never arrive; epoch tells a read made before such a gap from one
// made after it.
type statusCache struct {
	mu    sync.Mutex
	max   int
	ll    *list.List // of *cached, most recently used first
	m     map[string]*list.Element
	epoch uint64 // bumped each time the subscription comes up or goes down
	live  bool   // subscribed: every published change arrives
}

type cached struct {
	r    *simvid.Render
	seen time.Time // when a change or a read last confirmed r
}

func newStatusCache(max int) *statusCache {
	return &statusCache{max: max, ll: list.New(), m: map[string]*list.Element{}}
}

// get returns the cached record of id while it may be trusted.
func (c *statusCache) get(id string, now time.Time) (*simvid.Render, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.m[id]
	if !c.live || !ok {
		return nil, false
	}
	e := el.Value.(*cached)
	trust := RecheckEvery
	if e.r.State.Finished() {
		trust = FinishedTrust
	}
	if now.Sub(e.seen) >= trust {
		return nil, false
	}
	c.ll.MoveToFront(el)
	return e.r, true
}

// current returns the epoch to give put for a record about to be read.
func (c *statusCache) current() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

// put keeps r unless the subscription came or went since epoch (a change may have been
// missed in between) or a newer record of it is already here. Only Spec.Output of the spec
// is kept: the status routes show nothing else of it.
func (c *statusCache) put(r *simvid.Render, epoch uint64, now time.Time) {
	slim := *r
	slim.Spec = simvid.Spec{Output: r.Spec.Output}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || epoch != c.epoch || r.ID == "" {
		return
	}
	if el, ok := c.m[r.ID]; ok {
		e := el.Value.(*cached)
		if r.UpdatedAt.Before(e.r.UpdatedAt) {
			return // a read that started before the change it now trails
		}
		e.r, e.seen = &slim, now
		c.ll.MoveToFront(el)
		return
	}
	c.m[r.ID] = c.ll.PushFront(&cached{r: &slim, seen: now})
	if c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.m, last.Value.(*cached).r.ID)
	}
}

// forgetProject drops the renders of a deleted project.
func (c *statusCache) forgetProject(projectID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for el := c.ll.Front(); el != nil; {
		next := el.Next()
		if r := el.Value.(*cached).r; r.ProjectID == projectID {
			c.ll.Remove(el)
			delete(c.m, r.ID)
		}
		el = next
	}
}

// setLive records that the subscription came up or went down and returns the new epoch.
// Going down forgets every record.
func (c *statusCache) setLive(live bool) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live = live
	c.epoch++
	if !live {
		c.ll.Init()
		clear(c.m)
	}
	return c.epoch
}

func (c *statusCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
