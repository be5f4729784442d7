package engine

import (
	"sync"

	"github.com/simvid/simvid/pkg/render"
)

// pieceClaims marks the music pieces an encoder of this process is making. A caller that
// wants the same pieces meanwhile waits for them rather than encoding them again beside
// that encoder: a cold render starts as its music becomes ready, while the pieces every
// render of the track shares (render.TrackPieces) are being encoded, and encoding them twice
// cost the CPU twice and one more AAC encoder, about 65 MB resident, beside the render's x264s.
// Claims are taken all at once under the lock, so a caller waits only on earlier claims (a
// caller may hold its own while it waits): no two callers wait on each other.
type pieceClaims struct {
	mu   sync.Mutex
	busy map[string]chan struct{} // by piece key; closed when its encoder has ended
}

// claim splits pieces into those the caller makes (mine: release ends the claim, once they
// are in the cache or failed) and those another caller is making (theirs: wait for them).
func (c *pieceClaims) claim(pieces []render.AudioPiece) (mine, theirs []render.AudioPiece, wait []chan struct{}, release func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.busy == nil {
		c.busy = map[string]chan struct{}{}
	}
	done := make(chan struct{})
	var keys []string
	for _, p := range pieces {
		if ch, ok := c.busy[p.Key]; ok {
			theirs, wait = append(theirs, p), append(wait, ch)
			continue
		}
		c.busy[p.Key] = done
		keys = append(keys, p.Key)
		mine = append(mine, p)
	}
	var once sync.Once
	return mine, theirs, wait, func() {
		once.Do(func() {
			c.mu.Lock()
			for _, k := range keys {
				delete(c.busy, k)
			}
			c.mu.Unlock()
			close(done)
		})
	}
}
