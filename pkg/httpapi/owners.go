package httpapi

import "sync"

// ownersMax bounds the owner cache (a hundred bytes or so an entry); when it is full it
// starts over, which costs one database read per project seen again.
const ownersMax = 1 << 14

// owners remembers who owns each project: the API key id, or "" for an anonymous project.
// A project's owner is set when it is made and never changes, and its id is never reused, so
// an entry cannot go stale; the owner check of every poll and stream then reads no project.
type owners struct {
	mu sync.Mutex
	m  map[string]string
}

func (o *owners) get(projectID string) (string, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	owner, ok := o.m[projectID]
	return owner, ok
}

func (o *owners) put(projectID, owner string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m == nil || len(o.m) >= ownersMax {
		o.m = make(map[string]string)
	}
	o.m[projectID] = owner
}
