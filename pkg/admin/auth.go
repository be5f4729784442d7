package admin

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/gomodule/redigo/redis"
	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/jsonbody"
	"github.com/simvid/simvid/pkg/ratelimit"
	"github.com/simvid/simvid/pkg/simvid"
)

type sessionView struct {
	CSRFToken string    `json:"csrf_token"`
	Created   time.Time `json:"created"`
	ExpiresIn float64   `json:"expires_in"` // seconds, renewed by every request
}

// login checks the password and opens a session. It takes JSON only, so a cross-site form
// cannot log a victim in; it counts every attempt per IP and forgets them on success.
func (a *Admin) login(c echo.Context) error {
	ctx := c.Request().Context()
	ip := c.RealIP()
	if mt, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type")); mt != "application/json" {
		return simvid.Errorf(simvid.EUnsupported, "send the password as JSON: {\"password\": \"...\"}")
	}
	if n, retry, err := a.countLogin(ctx, ip); err != nil {
		return simvid.Wrap(simvid.EUnavailable, err, "the admin cannot check logins right now")
	} else if retry > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds()+0.999)))
		if n == loginLimit+1 { // once per window: a flood must not flood the audit log
			a.audit(c, "", "login.limited", "", "too many login attempts")
		}
		return simvid.Errorf(simvid.ERateLimited, "too many login attempts; try again in %d minutes", int(retry.Minutes())+1)
	}
	var in struct {
		Password string `json:"password"`
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, 4096))
	if err != nil {
		return simvid.Errorf(simvid.EInvalid, "send the password as JSON: {\"password\": \"...\"}")
	}
	if err := jsonbody.Decode(body, &in, ""); err != nil {
		return simvid.Errorf(simvid.EInvalid, "send the password as JSON: {\"password\": \"...\"} (%s)", err.Error())
	}
	if !a.check(in.Password) {
		a.audit(c, "", "login.failed", "", "wrong password")
		return deny(c, http.StatusUnauthorized, "unauthorized", "wrong password")
	}
	a.forgetLogins(ctx, ip)
	sess, err := a.sessions.create(ctx, ip, c.Request().UserAgent())
	if err != nil {
		return simvid.Wrap(simvid.EUnavailable, err, "the admin cannot open a session right now")
	}
	a.setCookie(c, sess.id, int(a.SessionTTL.Seconds()))
	c.Set(sessionKeyCtx, sess)
	a.audit(c, "", "login", "", "")
	return c.JSON(http.StatusOK, a.viewSession(sess))
}

func (a *Admin) viewSession(s *Session) sessionView {
	return sessionView{CSRFToken: s.CSRF, Created: s.Created, ExpiresIn: a.SessionTTL.Seconds()}
}

func (a *Admin) logout(c echo.Context) error {
	sess := sessionOf(c)
	if err := a.sessions.end(c.Request().Context(), sess.id); err != nil {
		return err
	}
	a.setCookie(c, "", -1)
	a.audit(c, "", "logout", "", "")
	return c.JSON(http.StatusOK, map[string]bool{"ok": true})
}

// session returns the CSRF token the page sends with every change.
func (a *Admin) session(c echo.Context) error {
	return c.JSON(http.StatusOK, a.viewSession(sessionOf(c)))
}

// revokeAll ends every admin session, this one too.
func (a *Admin) revokeAll(c echo.Context) error {
	n, err := a.sessions.endAll(c.Request().Context())
	if err != nil {
		return err
	}
	a.setCookie(c, "", -1)
	a.audit(c, "", "sessions.revoke", "", fmt.Sprintf("%d sessions ended", n))
	return c.JSON(http.StatusOK, map[string]int{"ended": n})
}

func loginKey(ip string) string { return "simvid:admin:login:" + ratelimit.ClientKey(ip) }

// countLogin counts an attempt in a fixed window per client and returns the count; past the
// limit it also returns how long until the window ends.
func (a *Admin) countLogin(ctx context.Context, ip string) (int, time.Duration, error) {
	conn, err := a.Pool.GetContext(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	key := loginKey(ip)
	n, err := redis.Int(conn.Do("INCR", key))
	if err != nil {
		return 0, 0, err
	}
	if n == 1 {
		_, _ = conn.Do("PEXPIRE", key, loginWindow.Milliseconds())
	}
	if n <= loginLimit {
		return n, 0, nil
	}
	ms, err := redis.Int64(conn.Do("PTTL", key))
	if err != nil || ms < 0 { // no expiry (a lost PEXPIRE): set it now
		_, _ = conn.Do("PEXPIRE", key, loginWindow.Milliseconds())
		ms = loginWindow.Milliseconds()
	}
	return n, time.Duration(ms) * time.Millisecond, nil
}

func (a *Admin) forgetLogins(ctx context.Context, ip string) {
	conn, err := a.Pool.GetContext(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = conn.Do("DEL", loginKey(ip))
}
