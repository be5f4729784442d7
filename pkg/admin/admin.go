// Package admin is the operators' surface at /admin: login, server-side sessions, CSRF
// protection, the audit log and the JSON API the admin page uses to see and steer simvid.
package admin

import (
	"net/http"
	"net/netip"
	"time"

	"github.com/gomodule/redigo/redis"
	"github.com/labstack/echo/v4"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/apikey"
	"github.com/simvid/simvid/pkg/jobs"
	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/simvid"
)

// Defaults of Deps' zero values.
const (
	DefaultSessionTTL = 12 * time.Hour
	loginLimit        = 5                // attempts per IP
	loginWindow       = 15 * time.Minute // ... per this window
	CookieName        = "simvid_admin"
)

// Deps are what the admin uses.
type Deps struct {
	Service      *service.Service // the only way to the projects, renders, files and settings
	Pool         *redis.Pool
	Password     string         // clear password (>= 12 characters, hard to guess), or
	PasswordHash string         // bcrypt or argon2id hash
	Trusted      []netip.Prefix // proxies whose X-Forwarded-Proto is believed
	SessionTTL   time.Duration  // 0 = DefaultSessionTTL
	Keys         *apikey.Keys   // API keys made and revoked here; nil = none
	Private      bool           // private mode: the session cookie goes with the page's API calls too
	SecureCookie bool           // always mark the session cookie Secure (TLS ends at a proxy not in Trusted)
	Log          *zap.Logger
}

// Admin serves /admin. With no password configured it is off: every route answers 404.
type Admin struct {
	Deps
	check    verifier
	sessions *sessions
	inspect  *jobs.Inspector
}

// New checks the password configuration: none turns the admin off; a short clear password
// or a malformed hash is an error that names the setting, so the service does not start.
func New(d Deps) (*Admin, error) {
	check, err := newVerifier(d.Password, d.PasswordHash)
	if err != nil {
		return nil, err
	}
	if d.SessionTTL <= 0 {
		d.SessionTTL = DefaultSessionTTL
	}
	if d.Log == nil {
		d.Log = zap.NewNop()
	}
	a := &Admin{Deps: d, check: check, sessions: &sessions{pool: d.Pool, ttl: d.SessionTTL}, inspect: jobs.NewInspector(d.Pool)}
	if check == nil {
		d.Log.Info("admin is off: set admin.password (SIMVID_ADMIN_PASSWORD) or admin.password_hash to turn it on")
	}
	return a, nil
}

// Enabled reports whether a password is configured.
func (a *Admin) Enabled() bool { return a != nil && a.check != nil }

// Register adds every admin route to e:
//
//	GET  /admin                      the page (static files under /static/admin/)
//	POST /admin/login                {"password"} -> cookie simvid_admin + {"csrf_token"}
//	POST /admin/logout               ends this session
//	GET  /admin/api/session          {"csrf_token", ...}; DELETE /admin/api/sessions ends all
//	GET  /admin/api/dashboard        counts, hourly and daily outcomes, render time quantiles
//	GET  /admin/api/queues           depth, latency, pools, busy workers, retry/scheduled/dead
//	POST /admin/api/queues/:q/:set/{retry,delete}   {"at","id"} or {"all":true}
//	GET  /admin/api/renders          ?state=a,b&project=&since=&until=&limit=
//	GET  /admin/api/renders/:id      with error_detail and worker; POST .../retry, .../cancel
//	GET  /admin/api/projects         ?q=<id>; GET/DELETE /admin/api/projects/:id
//	GET  /admin/api/assets/:id/file  thumbnail or music working copy, with Range
//	GET  /admin/api/storage; GET/PUT /admin/api/retention; POST /admin/api/cleanup {"dry_run"}
//	GET  /admin/api/export/{projects,renders}?format=json|csv
//	GET  /admin/api/audit            ?action=&before=&limit=
//	GET/POST /admin/api/keys; DELETE /admin/api/keys/:id (revoke)
//	GET  /admin/api/webhooks         ?render=&limit=  webhook delivery attempts
//
// Everything but the page and login needs a session (401 otherwise); every change needs
// the session's X-CSRF-Token header (403 otherwise).
func (a *Admin) Register(e *echo.Echo) {
	if !a.Enabled() {
		off := func(echo.Context) error {
			return simvid.Errorf(simvid.ENotFound, "admin is not enabled: set admin.password (SIMVID_ADMIN_PASSWORD) to turn it on")
		}
		e.Any("/admin", off)
		e.Any("/admin/*", off)
		return
	}
	g := e.Group("/admin", a.headers, a.sameOrigin)
	g.GET("", a.page)
	g.GET("/", a.page)
	g.POST("/login", a.login)
	auth := g.Group("", a.requireSession, a.requireCSRF)
	auth.POST("/logout", a.logout)

	api := auth.Group("/api")
	api.GET("/session", a.session)
	api.DELETE("/sessions", a.revokeAll)
	api.GET("/audit", a.listAudit)
	api.GET("/dashboard", a.dashboard)
	api.GET("/queues", a.listQueues)
	api.POST("/queues/:queue/:set/retry", a.retryJobs)
	api.POST("/queues/:queue/:set/delete", a.deleteJobs)
	api.GET("/renders", a.listRenders)
	api.GET("/renders/:id", a.getRender)
	api.POST("/renders/:id/retry", a.retryRender)
	api.POST("/renders/:id/cancel", a.cancelRender)
	api.GET("/projects", a.listProjects)
	api.GET("/projects/:id", a.getProject)
	api.DELETE("/projects/:id", a.deleteProject)
	api.GET("/assets/:id/file", a.assetFile)
	api.GET("/storage", a.storage)
	api.GET("/retention", a.getRetention)
	api.PUT("/retention", a.putRetention)
	api.POST("/cleanup", a.cleanup)
	api.GET("/export/:what", a.export)
	api.GET("/keys", a.listKeys)
	api.POST("/keys", a.createKey)
	api.DELETE("/keys/:id", a.revokeKey)
	api.GET("/webhooks", a.listWebhooks)
	api.Any("/*", func(echo.Context) error { return echo.ErrNotFound })
}

// deny answers 401 or 403 as JSON. simvid's error codes have no 401/403, so the admin
// writes these itself instead of going through the shared error handler.
func deny(c echo.Context, status int, code, msg string) error {
	return c.JSON(status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func unauthorized(c echo.Context) error {
	return deny(c, http.StatusUnauthorized, "unauthorized", "log in to the admin first")
}
