package objstore

import (
	"context"
	"sync"
	"time"
)

// Health remembers the last Probe for a while, so that /readyz, asked every few seconds by
// every balancer, does not write an object each time. A failure is kept for less time
// than a success, so recovery shows soon.
type Health struct {
	b       *Bucket
	ok, bad time.Duration
	timeout time.Duration
	now     func() time.Time

	mu  sync.Mutex
	at  time.Time // of the last probe; zero before the first
	err error
}

// NewHealth probes b at most every ok after a success, every ok/6 after a failure.
func NewHealth(b *Bucket, ok time.Duration) *Health {
	// The probe must fit in /readyz's own deadline of 3s.
	return &Health{b: b, ok: ok, bad: ok / 6, timeout: 2 * time.Second, now: time.Now}
}

// Check returns the remembered result, or probes again when it is stale. The probe runs
// under its own deadline, not the caller's: one impatient caller does not make a failure
// that everyone else is then told about.
func (h *Health) Check(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.at.IsZero() {
		ttl := h.ok
		if h.err != nil {
			ttl = h.bad
		}
		if h.now().Sub(h.at) < ttl {
			return h.err
		}
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.timeout)
	defer cancel()
	h.err = h.b.Probe(pctx)
	h.at = h.now()
	return h.err
}
