// Package httpapi serves simvid over HTTP with echo: the page, the JSON API, progress streams,
// media downloads, health checks and the routes of the Python original.
package httpapi

import (
	"context"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/gomodule/redigo/redis"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/apikey"
	"github.com/simvid/simvid/pkg/events"
	"github.com/simvid/simvid/pkg/metrics"
	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/simvid"
)

// Limiter applies the shared rate limits to a bucket of routes.
type Limiter interface {
	Middleware(bucket string) echo.MiddlewareFunc
}

// Deps are what the HTTP surface uses.
type Deps struct {
	Service     *service.Service
	Pool        *redis.Pool
	Hub         *events.Hub
	Limiter     Limiter // nil: no rate limits
	IPExtractor echo.IPExtractor
	Metrics     *metrics.Metrics
	Ready       func(ctx context.Context) error // nil error: ready
	Info        Info
	Log         *zap.Logger
	Admin       AdminRoutes  // nil: no /admin routes
	Keys        *apikey.Keys // nil: no API keys (a Bearer header is refused)
	// Private limits making projects and renders to API key holders and logged-in admins;
	// AdminSession tells whether a request carries a live admin session.
	Private      bool
	AdminSession func(r *http.Request) bool
	CORSOrigins  []string // origins allowed to call /api/v1 from a browser; "*" = any
	MaxStreams   int      // open progress streams per client in this process; 0: no cap
	// WebhookAllow are the private ranges webhooks may still call (api.webhook_allow): a
	// callback_url elsewhere inside a private range is refused when the render is asked for.
	WebhookAllow []netip.Prefix
	// PublicURL is the base of the absolute links in webhook bodies; "" takes it from the
	// request that made the render (Host, and X-Forwarded-Proto/Host from Trusted proxies).
	PublicURL string
	Trusted   []netip.Prefix
	// UploadMinRate is the slowest average (bytes a second) an upload body may keep once the
	// server's body timeout (NewHTTPServer) is used up; 0: uploads get that timeout too.
	UploadMinRate int64
}

// AdminRoutes registers the admin surface (pkg/admin) on the echo application.
type AdminRoutes interface {
	Register(e *echo.Echo)
}

// Info is what GET /api/v1/capabilities tells clients beyond the service's own lists.
type Info struct {
	FileBytes      int64
	ImagePixels    int64
	AudioSeconds   float64
	MaxUploadBytes int64 // one multipart request
	ClipBytes      int64 // a video clip (0: FileBytes)
	ClipSeconds    float64
}

// fileCap is the most bytes one uploaded file may have: a picture's or a clip's limit.
func (i Info) fileCap() int64 { return max(i.FileBytes, i.ClipBytes) }

// Server is the echo application.
type Server struct {
	Deps
	e       *echo.Echo
	svc     *service.Service
	log     *zap.Logger
	closing chan struct{} // closed at shutdown: open event streams end so the server can stop
	once    sync.Once
	owners  owners
	streams *streamSlots
}

// CloseStreams ends every open event stream; clients reconnect to another instance.
func (s *Server) CloseStreams() { s.once.Do(func() { close(s.closing) }) }

// New builds the echo application with every route registered.
func New(d Deps) *Server {
	s := &Server{Deps: d, e: echo.New(), svc: d.Service, log: d.Log, closing: make(chan struct{}),
		streams: newStreamSlots(d.MaxStreams)}
	e := s.e
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.IPExtractor = d.IPExtractor
	e.Pre(s.cors)
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: func() string { return simvid.NewID("req") }}))
	e.Use(s.recoverJSON)
	e.Use(s.accessLog)
	e.Use(securityHeaders)
	s.routes()
	return s
}

// Handler returns the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.e }

// NewHTTPServer wraps the handler with timeouts that suit uploads and long streams: headers
// within 10 s, a body within bodyTimeout (uploads: at a minimum rate, see Deps.UploadMinRate;
// 0: no body deadline), idle connections closed after 2 minutes.
func NewHTTPServer(addr string, h http.Handler, bodyTimeout time.Duration) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           bodyDeadlines(h, bodyTimeout),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

func (s *Server) limit(bucket string) echo.MiddlewareFunc {
	if s.Limiter == nil {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	return s.Limiter.Middleware(bucket)
}

// recoverJSON turns a panic into a logged 500 with a JSON body: never a stack to the client.
func (s *Server) recoverJSON(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.log.Error("panic in handler", zap.Any("panic", r), zap.String("request_id", requestID(c)), zap.Stack("stack"))
				err = simvid.Errorf(simvid.EInternal, "internal error")
			}
		}()
		return next(c)
	}
}

func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		took := time.Since(start)
		status := c.Response().Status
		route := c.Path()
		if s.Metrics != nil {
			s.Metrics.ObserveHTTP(c.Request().Method, route, status, took)
		}
		// Checked first: building the fields (the client IP above all) costs on every request.
		if ce := s.log.Check(zap.DebugLevel, "http"); ce != nil {
			ce.Write(zap.String("request_id", requestID(c)), zap.String("method", c.Request().Method),
				zap.String("route", route), zap.Int("status", status), zap.Duration("took", took), zap.String("ip", c.RealIP()))
		}
		return nil
	}
}

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		return next(c)
	}
}

// Routes lists the registered routes (the OpenAPI test compares them with the document).
func (s *Server) Routes() []*echo.Route { return s.e.Routes() }
