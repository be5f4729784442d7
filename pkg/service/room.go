package service

import "sync"

// room counts the pictures one AddImages may still add: the project's free places, less the
// files accepted so far and those in intake. A file waits while the ones in intake could
// still fill the project (one of them may be refused and free its place), and is refused
// once the accepted ones have.
type room struct {
	mu       sync.Mutex
	changed  *sync.Cond
	limit    int // free places; < 0: no limit
	accepted int
	inflight int
}

func newRoom(perProject, held int) *room {
	r := &room{limit: -1}
	if perProject > 0 {
		r.limit = max(perProject-held, 0)
	}
	r.changed = sync.NewCond(&r.mu)
	return r
}

// take reserves a place for one file, waiting if need be; false: the project is full.
func (r *room) take() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.limit < 0 {
		return true
	}
	for r.accepted+r.inflight >= r.limit && r.inflight > 0 {
		r.changed.Wait()
	}
	if r.accepted >= r.limit {
		return false
	}
	r.inflight++
	return true
}

// done gives back a place taken: kept if the file was accepted.
func (r *room) done(accepted bool) {
	r.mu.Lock()
	r.inflight--
	if accepted {
		r.accepted++
	}
	r.mu.Unlock()
	r.changed.Broadcast()
}
