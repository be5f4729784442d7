package admin

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"net/url"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"
)

const sessionKeyCtx = "admin.session"

// headers make every admin answer uncacheable and unframeable, with a CSP that allows no
// inline script or style.
func (a *Admin) headers(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")
		return next(c)
	}
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// sameOrigin refuses a state-changing request that a browser says comes from another site.
func (a *Admin) sameOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if !unsafeMethod(r.Method) {
			return next(c)
		}
		if o := r.Header.Get("Origin"); o != "" {
			u, err := url.Parse(o)
			if err != nil || u.Host != r.Host {
				return deny(c, http.StatusForbidden, "forbidden", "cross-site request refused")
			}
		}
		if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
			return deny(c, http.StatusForbidden, "forbidden", "cross-site request refused")
		}
		return next(c)
	}
}

// requireSession lets a request through only with a live session cookie.
func (a *Admin) requireSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(CookieName)
		if err != nil {
			return unauthorized(c)
		}
		sess, err := a.sessions.get(c.Request().Context(), ck.Value)
		if err != nil {
			return err
		}
		if sess == nil {
			return unauthorized(c)
		}
		c.Set(sessionKeyCtx, sess)
		return next(c)
	}
}

// requireCSRF demands the session's token in X-CSRF-Token on every change.
func (a *Admin) requireCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !unsafeMethod(c.Request().Method) {
			return next(c)
		}
		sess := sessionOf(c)
		got := c.Request().Header.Get("X-CSRF-Token")
		if sess == nil || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) != 1 {
			a.Log.Warn("admin: request without a valid CSRF token", zap.String("ip", c.RealIP()), zap.String("path", c.Path()))
			return deny(c, http.StatusForbidden, "csrf", "missing or wrong X-CSRF-Token header; reload the admin page")
		}
		return next(c)
	}
}

func sessionOf(c echo.Context) *Session {
	s, _ := c.Get(sessionKeyCtx).(*Session)
	return s
}

// overTLS reports whether the client reached us over TLS: directly, or through a trusted
// proxy that says so in X-Forwarded-Proto.
func (a *Admin) overTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if r.Header.Get("X-Forwarded-Proto") != "https" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range a.Trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func (a *Admin) setCookie(c echo.Context, value string, maxAge int) {
	path := "/admin"
	if a.Private {
		path = "/" // the page's own API calls must carry it
	}
	c.SetCookie(&http.Cookie{
		Name: CookieName, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: a.SecureCookie || a.overTLS(c.Request()),
	})
}
