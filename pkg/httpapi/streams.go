package httpapi

import (
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/simvid"
)

// streamSlots counts the open progress streams of each client (clientOf: an API key, an
// IPv4 address or an IPv6 /64) in this process. Each stream holds a connection and a hub
// subscription for up to two hours, so one client must not open them without bound.
type streamSlots struct {
	max  int // 0: no cap
	mu   sync.Mutex
	open map[string]int
}

func newStreamSlots(max int) *streamSlots { return &streamSlots{max: max, open: map[string]int{}} }

// take reserves a stream for the client of c and returns its release, or a 429 error when
// the client already holds max streams.
func (s *streamSlots) take(c echo.Context) (func(), error) {
	if s == nil || s.max <= 0 {
		return func() {}, nil
	}
	client := clientOf(c)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open[client] >= s.max {
		return nil, simvid.Errorf(simvid.ERateLimited,
			"%d progress streams are already open from your address; close a page or tab that follows a render, or poll GET /api/v1/renders/{id} instead", s.max)
	}
	s.open[client]++
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.open[client]--; s.open[client] <= 0 {
				delete(s.open, client)
			}
		})
	}, nil
}
