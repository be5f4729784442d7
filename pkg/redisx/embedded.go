package redisx

import (
	"fmt"

	"github.com/alicebob/miniredis/v2"
)

// Embedded is an in-process Redis (miniredis) for the single-process install. Its data lives
// in memory only and is gone after Close or a restart; the reconciler rebuilds the queue from
// the database. Key TTLs follow the wall clock (miniredis's ClockTTL), so rate-limit windows,
// sessions and leases expire as they would on a real Redis.
type Embedded struct {
	m *miniredis.Miniredis
}

// StartEmbedded listens on addr ("" means 127.0.0.1 on a free port) and serves Redis there.
func StartEmbedded(addr string) (*Embedded, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	m := miniredis.NewMiniRedis()
	// Without this miniredis never expires a key unless FastForward is called.
	m.ClockTTL(true)
	if err := m.StartAddr(addr); err != nil {
		return nil, fmt.Errorf("redisx: start embedded Redis on %s: %w", addr, err)
	}
	return &Embedded{m: m}, nil
}

// Addr is the host:port the embedded Redis listens on.
func (e *Embedded) Addr() string { return e.m.Addr() }

// URL is the redis:// URL to give NewPool and DialPubSub.
func (e *Embedded) URL() string { return "redis://" + e.m.Addr() + "/0" }

// Close stops the server and drops every key. It is safe to call more than once.
func (e *Embedded) Close() { e.m.Close() }
