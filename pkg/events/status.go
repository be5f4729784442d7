package events

import (
	"context"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

// syncWait bounds how long a status read waits for the subscription to vouch for the cache
// before it reads the database instead.
const syncWait = time.Second

// Status is one read of a render's status, begun by Hub.Begin and finished by Render. In
// between, the PING that vouches for the cache is on its way, so the caller's own round
// trips (a rate-limit check) overlap it. For one request: not safe for concurrent use.
type Status struct {
	h      *Hub
	id     string
	cached *simvid.Render // the cache's record at Begin, not yet vouched for; nil: none
	ticket *batch         // the PING that vouches for it
	r      *simvid.Render
	err    error
	done   bool
}

// Begin starts reading a render's status.
func (h *Hub) Begin(renderID string) *Status {
	st := &Status{h: h, id: renderID}
	if r, ok := h.cache.get(renderID, time.Now()); ok {
		if b, err := h.barrier.join(); err == nil {
			st.cached, st.ticket = r, b
		}
	}
	return st
}

// ID is the render asked for.
func (st *Status) ID() string { return st.id }

// ProjectID returns the render's project when the cache knew the render at Begin. A render
// never changes project, so this needs no vouching: an owner check can use it at once.
func (st *Status) ProjectID() (string, bool) {
	if st.cached == nil {
		return "", false
	}
	return st.cached.ProjectID, true
}

// Render returns the render's status: its record with only Spec.Output of the spec, shared
// and not to be changed. It comes from the cache when the cache may be trusted: the
// subscription is up and, once the PING sent at or after Begin is answered, has handled
// every change published before Begin (so a change committed and published by another
// instance before the request is seen); otherwise from the database, and that is cached.
// A second call returns the first answer.
func (st *Status) Render(ctx context.Context) (*simvid.Render, error) {
	if st.done {
		return st.r, st.err
	}
	st.done = true
	if st.ticket != nil {
		sctx, cancel := context.WithTimeout(ctx, syncWait)
		err := st.ticket.wait(sctx.Done())
		cancel()
		if err == nil {
			if r, ok := st.h.cache.get(st.id, time.Now()); ok {
				st.r = r
				return r, nil
			}
		}
	}
	epoch := st.h.cache.current()
	st.r, st.err = st.h.reread(ctx, st.id)
	if st.err == nil {
		st.h.cache.put(st.r, epoch, time.Now())
	}
	return st.r, st.err
}

// Render returns a render's status at once: Begin, then Status.Render.
func (h *Hub) Render(ctx context.Context, renderID string) (*simvid.Render, error) {
	return h.Begin(renderID).Render(ctx)
}
