package httpapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/ulule/limiter/v3"

	"github.com/simvid/simvid/pkg/events"
	"github.com/simvid/simvid/pkg/ratelimit"
	"github.com/simvid/simvid/pkg/simvid"
)

const (
	keyCtx    = "apikey"
	renderCtx = "render" // the status read of the render of :id (*events.Status), begun by access
)

// keyOf returns the API key the request authenticated with, or nil.
func keyOf(c echo.Context) *simvid.APIKey {
	k, _ := c.Get(keyCtx).(*simvid.APIKey)
	return k
}

// ownerOf is the owner a new project gets: the key's id, or "" (anonymous).
func ownerOf(c echo.Context) string {
	if k := keyOf(c); k != nil {
		return k.ID
	}
	return ""
}

// clientOf names who asks, for the limit on unfinished renders: the key, else the IP,
// grouped as the rate limits group it (an IPv6 client by its /64, which one home or phone
// holds whole: counting single addresses let it take a new one per render).
func clientOf(c echo.Context) string {
	if k := keyOf(c); k != nil {
		return "key:" + k.ID
	}
	return ratelimit.ClientKey(c.RealIP())
}

// access authenticates an API key when one is sent, gives the rate limiter the key's
// counters and rates, keeps private mode, and hides a key's projects and renders from
// everyone else (404, as if they did not exist). It runs after routing, so it sees :id.
func (s *Server) access(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		// Only the Bearer scheme is ours: a proxy's Basic auth in front of simvid passes by.
		if scheme, secret, _ := strings.Cut(req.Header.Get(echo.HeaderAuthorization), " "); strings.EqualFold(scheme, "Bearer") {
			if s.Keys == nil {
				return s.badKey(c)
			}
			key, err := s.Keys.Authenticate(req.Context(), strings.TrimSpace(secret))
			if simvid.IsCode(err, simvid.EUnauthorized) {
				return s.badKey(c)
			}
			if err != nil {
				return err
			}
			c.Set(keyCtx, key)
			o := ratelimit.Override{Key: "key:" + key.ID}
			if key.RateLimit != "" {
				if r, err := limiter.NewRateFromFormatted(key.RateLimit); err == nil {
					o.Rates = []limiter.Rate{r}
				}
			}
			c.Set(ratelimit.OverrideKey, o)
		}
		if s.Private && creates(req.Method, c.Path()) && keyOf(c) == nil && (s.AdminSession == nil || !s.AdminSession(req)) {
			return simvid.Errorf(simvid.ELoginRequired, "this simvid is private: log in at /admin, or send an API key (Authorization: Bearer sk_...)")
		}
		if err := s.checkOwner(c); err != nil {
			return err
		}
		return next(c)
	}
}

func (s *Server) badKey(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="simvid"`)
	return simvid.Errorf(simvid.EUnauthorized, "the API key is not valid: send Authorization: Bearer sk_... with a key the admin created")
}

// creates reports whether a route makes a project or a render: what private mode guards.
func creates(method, route string) bool {
	if method != http.MethodPost {
		return false
	}
	switch route {
	case "/api/v1/projects", "/api/v1/renders", "/api/v1/projects/:id/renders", "/upload_images", "/upload_audio", "/download_youtube", "/generate_video":
		return true
	}
	return false
}

// checkOwner answers 404 when :id names a project (or a render of a project) that an API
// key owns and the request does not carry that key. Malformed or unknown ids pass: the
// handler answers them itself; a read that fails otherwise refuses (unlessNotFound). The
// status read of a render it begins is kept for the handler (renderOf): when the hub's
// cache knows the render, the owner check needs only its project (which never changes) and
// the read is finished by the handler, so the PING that vouches for the cache overlaps the
// rate-limit check; otherwise it reads the render now. A project's owner is remembered.
func (s *Server) checkOwner(c echo.Context) error {
	id := c.Param("id")
	var pid, what string
	switch {
	case simvid.ValidID(simvid.PrefixProject, id):
		pid, what = id, "project"
	case simvid.ValidID(simvid.PrefixRender, id):
		st := s.Hub.Begin(id)
		c.Set(renderCtx, st)
		var ok bool
		if pid, ok = st.ProjectID(); !ok {
			r, err := st.Render(c.Request().Context())
			if err != nil {
				return unlessNotFound(err)
			}
			pid = r.ProjectID
		}
		what = "render"
	default:
		return nil
	}
	owner, ok := s.owners.get(pid)
	if !ok {
		p, err := s.svc.GetProject(c.Request().Context(), pid)
		if err != nil {
			return unlessNotFound(err)
		}
		owner = p.OwnerKey
		s.owners.put(pid, owner)
	}
	return s.canSee(c, owner, what)
}

// unlessNotFound lets an unknown id through to its handler, which answers 404 itself; any
// other failure to read the owner (a database that is down) refuses the request rather
// than letting it pass unchecked.
func unlessNotFound(err error) error {
	if simvid.IsCode(err, simvid.ENotFound) {
		return nil
	}
	return err
}

// canSee is nil when the request may see a project of owner (an API key id, "" for an
// anonymous project); otherwise a not-found error for what.
func (s *Server) canSee(c echo.Context, owner, what string) error {
	if owner == "" || owner == ownerOf(c) {
		return nil
	}
	return simvid.Errorf(simvid.ENotFound, "%s not found", what)
}

// renderOf returns the render named by :id: the status read access began, or a fresh read
// when that found none (a malformed or unknown id gets its error here).
// Only Spec.Output of its spec may be set (store.GetRenderStatus): the render routes show
// nothing else of it. It may be shared with other requests: read it, never change it.
func (s *Server) renderOf(c echo.Context) (*simvid.Render, error) {
	if st, ok := c.Get(renderCtx).(*events.Status); ok && st.ID() == c.Param("id") {
		if r, err := st.Render(c.Request().Context()); err == nil {
			return r, nil
		}
	}
	return s.svc.GetRender(c.Request().Context(), c.Param("id"))
}
