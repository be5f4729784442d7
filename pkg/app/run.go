package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/admin"
	"github.com/simvid/simvid/pkg/events"
	"github.com/simvid/simvid/pkg/httpapi"
	"github.com/simvid/simvid/pkg/ratelimit"
	"github.com/simvid/simvid/pkg/redisx"
	"github.com/simvid/simvid/pkg/simvid"
)

func (a *App) buildHTTP() error {
	cfg := a.cfg
	trusted, err := ratelimit.ParseTrusted("trusted_proxies", cfg.TrustedProxies)
	if err != nil {
		return err
	}
	var lim httpapi.Limiter
	if cfg.RateLimits.Enabled {
		l, err := ratelimit.New(a.pool, ratelimit.Config{
			Enabled: true, Upload: cfg.RateLimits.Upload, Render: cfg.RateLimits.Render, Read: cfg.RateLimits.Read,
			Other: cfg.RateLimits.Other, OtherDaily: cfg.RateLimits.OtherDaily, Prefix: ratelimit.DefaultPrefix, Timeout: 2 * time.Second,
		}, a.log)
		if err != nil {
			return err
		}
		lim = l
	}
	adm, err := admin.New(admin.Deps{Service: a.svc, Pool: a.pool, Password: cfg.Admin.Password.Reveal(),
		PasswordHash: cfg.Admin.PasswordHash.Reveal(), ProjectTTL: cfg.Retention.ProjectTTL, Trusted: trusted, Log: a.log,
		Keys: a.keys, Private: cfg.API.Private})
	if err != nil {
		return err
	}
	a.metrics.Registry.MustRegister(adm.Collector())
	url := a.redisURL
	a.hub = events.NewHub(func() (redis.Conn, error) { return redisx.DialPubSub(context.Background(), url) },
		a.store.GetRenderStatus, a.log)
	a.api = httpapi.New(httpapi.Deps{
		Service: a.svc, Pool: a.pool, Hub: a.hub, Limiter: lim, IPExtractor: ratelimit.IPExtractor(trusted),
		Metrics: a.metrics, Ready: a.ready, Log: a.log, Admin: adm,
		Keys: a.keys, Private: cfg.API.Private, AdminSession: adm.HasSession, CORSOrigins: cfg.API.CORSOrigins,
		UploadMinRate: int64(cfg.HTTP.UploadMinRate),
		Info: httpapi.Info{FileBytes: int64(cfg.Limits.FileBytes), ImagePixels: cfg.Limits.ImagePixels,
			AudioSeconds: cfg.Limits.AudioDuration.Seconds(), MaxUploadBytes: uploadCap(int64(cfg.Limits.FileBytes))},
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	a.ln = httpapi.LimitConns(ln, cfg.HTTP.ConnsPerClient, trusted, a.log)
	a.http = httpapi.NewHTTPServer(cfg.Addr, a.api.Handler(), cfg.HTTP.BodyTimeout)
	return nil
}

// uploadCap bounds one upload request: many files, each bounded by intake on its own.
func uploadCap(fileBytes int64) int64 { return max(fileBytes*20, 64<<20) + 1<<20 }

// ready is /readyz: every dependency this process needs answers.
func (a *App) ready(ctx context.Context) error {
	if err := redisx.Ping(ctx, a.pool); err != nil {
		return simvid.Wrap(simvid.EUnavailable, err, "redis is not reachable")
	}
	if err := a.store.Ping(ctx); err != nil {
		return simvid.Wrap(simvid.EUnavailable, err, "the database is not reachable")
	}
	if free, err := a.media.Free(); err != nil || free < uint64(a.cfg.Limits.MinFreeDisk) {
		return simvid.Errorf(simvid.EUnavailable, "the data directory is out of space")
	}
	return nil
}

// Addr returns the HTTP address the app listens on (useful with port 0).
func (a *App) Addr() string {
	if a.ln == nil {
		return ""
	}
	return a.ln.Addr().String()
}

// MetricsAddr returns the bound metrics address once Run has started, or "".
func (a *App) MetricsAddr() string { return a.metricsAddr }

// Run starts the roles and blocks until ctx ends; then it stops them in order: HTTP first
// (in-flight requests finish, streams end), then the workers within the grace period.
func (a *App) Run(ctx context.Context, started func()) error {
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	if a.cfg.MetricsAddr != "" {
		addr, err := a.metrics.Serve(bg, a.cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("metrics on %s: %w", a.cfg.MetricsAddr, err)
		}
		a.metricsAddr = addr
	}
	errc := make(chan error, 1)
	if a.api != nil {
		go a.hub.Run(bg)
		go func() {
			if err := a.http.Serve(a.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}
	if a.worker != nil {
		a.worker.Start()
	}
	if started != nil {
		started()
	}
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	a.log.Info("shutting down")
	if a.api != nil {
		a.api.CloseStreams()
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		if err := a.http.Shutdown(sctx); err != nil {
			a.log.Warn("http shutdown", zap.Error(err))
		}
		cancel()
	}
	if a.worker != nil {
		gctx, cancel := context.WithTimeout(context.Background(), a.cfg.Jobs.ShutdownGrace)
		a.worker.Stop(gctx)
		cancel()
	}
	return runErr
}

// Close releases what New built. Safe after a failed New.
func (a *App) Close() {
	if a.ln != nil && a.http == nil {
		a.ln.Close()
	}
	if a.store != nil {
		_ = a.store.Close()
	}
	if a.pool != nil {
		_ = a.pool.Close()
	}
	if a.embedded != nil {
		a.embedded.Close()
	}
}
