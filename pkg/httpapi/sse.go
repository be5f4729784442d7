package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/simvid"
)

// SSE timings: a comment keeps proxies from closing a quiet stream.
const (
	ssePingEvery = 15 * time.Second
	sseMaxLife   = 2 * time.Hour
)

// followRender calls send with the render now and on every change until it is finished, the
// client leaves, or send fails. The first send needs no database read when the hub's cache
// holds the render (checkOwner read it through the hub). One Redis subscription per process
// feeds every stream, and the hub re-reads each followed render for all of its streams
// (events.RecheckEvery), in case a published change was missed.
func (s *Server) followRender(ctx context.Context, r *simvid.Render, send func(*simvid.Render) error, ping func() error) error {
	ch, unsub := s.Hub.Subscribe(r.ID)
	defer unsub()
	// A change that came between reading r and subscribing went to the cache, not to ch.
	if c, ok := s.Hub.Cached(r.ID); ok && c.UpdatedAt.After(r.UpdatedAt) {
		r = c
	}
	if err := send(r); err != nil || r.State.Finished() {
		return err
	}
	last := r.UpdatedAt
	pingT := time.NewTicker(ssePingEvery)
	defer pingT.Stop()
	ctx, cancel := context.WithTimeout(ctx, sseMaxLife)
	defer cancel()
	for {
		var next *simvid.Render
		select {
		case <-ctx.Done():
			return nil
		case <-s.closing:
			return nil
		case next = <-ch:
		case <-pingT.C:
			if err := ping(); err != nil {
				return nil
			}
			continue
		}
		if next.UpdatedAt.Before(last) {
			continue // an older change that arrived late
		}
		last = next.UpdatedAt
		if err := send(next); err != nil || next.State.Finished() {
			return nil
		}
	}
}

// sseStart writes the headers of an event stream.
func sseStart(c echo.Context) *http.ResponseController {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	c.Response().WriteHeader(http.StatusOK)
	rc := http.NewResponseController(c.Response().Writer)
	_ = rc.SetWriteDeadline(time.Time{})
	_ = rc.Flush()
	return rc
}

func sseWrite(c echo.Context, rc *http.ResponseController, event string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if event != "" {
		if _, err := fmt.Fprintf(c.Response(), "event: %s\n", event); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintf(c.Response(), "data: %s\n\n", b); err != nil {
		return err
	}
	return rc.Flush()
}

func ssePing(c echo.Context, rc *http.ResponseController) func() error {
	return func() error {
		if _, err := fmt.Fprint(c.Response(), ": ping\n\n"); err != nil {
			return err
		}
		return rc.Flush()
	}
}

// renderEvents streams a render's changes as `event: render` messages.
func (s *Server) renderEvents(c echo.Context) error {
	r, err := s.renderOf(c)
	if err != nil {
		return err
	}
	release, err := s.streams.take(c)
	if err != nil {
		return err
	}
	defer release()
	rc := sseStart(c)
	return s.followRender(c.Request().Context(), r, func(r *simvid.Render) error {
		return sseWrite(c, rc, "render", viewRender(r))
	}, ssePing(c, rc))
}
