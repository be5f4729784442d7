package jobs

import (
	"sync"

	"github.com/simvid/simvid/pkg/render"
)

// planCacheSize is how many renders' plans a worker keeps: the renders whose groups it may
// be encoding at once, with room to spare.
const planCacheSize = 8

// plannedRender is what a segment job needs of its render before it encodes: the plan, its
// groups (the coordinator's, in its own process; nil elsewhere) and the inputs' files.
type plannedRender struct {
	plan   *render.Plan
	groups []render.Group
	paths  inputPaths
}

// group is the group a segment job names: the coordinator's own when this process runs it,
// else rebuilt from the segment indexes of the payload, else (a payload from a release that
// sent none) cut from the whole plan as that release did. ok is false when the key does not
// match (the job is not for this plan).
func (pr plannedRender) group(index int, key string, segments []int, minCost float64) (render.Group, bool) {
	if index >= 0 && index < len(pr.groups) && pr.groups[index].Key == key {
		return pr.groups[index], true
	}
	if segments != nil {
		return pr.plan.GroupOf(index, key, segments)
	}
	groups := pr.plan.Groups(minCost)
	if index < 0 || index >= len(groups) || groups[index].Key != key {
		return render.Group{}, false
	}
	return groups[index], true
}

// planCache keeps the plans of a worker's recent renders by render id. Without it every
// segment job read every picture's record, planned the whole render and grouped it again:
// work that grows with the slides, done once per group, whose number grows with the slides
// too (a 300-picture show: about 100 groups, each reading 300 records and planning 600
// segments). A render's spec and its pictures' facts do not change (an edit makes a new
// render), so one plan serves all of its groups.
type planCache struct {
	mu    sync.Mutex
	order []string // oldest first
	plans map[string]plannedRender
}

func newPlanCache() *planCache { return &planCache{plans: map[string]plannedRender{}} }

func (c *planCache) get(renderID string) (plannedRender, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.plans[renderID]
	return p, ok
}

func (c *planCache) put(renderID string, p plannedRender) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.plans[renderID]; !ok {
		c.order = append(c.order, renderID)
	}
	c.plans[renderID] = p
	for len(c.order) > planCacheSize {
		delete(c.plans, c.order[0])
		c.order = c.order[1:]
	}
}
