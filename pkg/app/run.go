package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/admin"
	"github.com/simvid/simvid/pkg/config"
	"github.com/simvid/simvid/pkg/events"
	"github.com/simvid/simvid/pkg/httpapi"
	"github.com/simvid/simvid/pkg/metrics"
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
			Other: cfg.RateLimits.Other, OtherDaily: cfg.RateLimits.OtherDaily, Link: cfg.RateLimits.Link,
			UploadBytes: cfg.RateLimits.UploadBytes, UploadPixels: cfg.RateLimits.UploadPixels,
			Prefix: ratelimit.DefaultPrefix, Timeout: 2 * time.Second,
		}, a.log)
		if err != nil {
			return err
		}
		lim = l
	}
	adm, err := admin.New(admin.Deps{Service: a.svc, Pool: a.pool, Password: cfg.Admin.Password.Reveal(),
		PasswordHash: cfg.Admin.PasswordHash.Reveal(), Trusted: trusted, Log: a.log,
		Keys: a.keys, Private: cfg.API.Private, SecureCookie: cfg.Admin.SecureCookie})
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
		MaxStreams:   cfg.Limits.EventStreams,
		WebhookAllow: a.webhookAllow, PublicURL: cfg.PublicURL, Trusted: trusted,
		UploadMinRate: int64(cfg.HTTP.UploadMinRate),
		Info: httpapi.Info{FileBytes: int64(cfg.Limits.FileBytes), ImagePixels: cfg.Limits.ImagePixels,
			AudioSeconds: cfg.Limits.AudioDuration.Seconds(), MaxUploadBytes: uploadCap(int64(cfg.Limits.FileBytes), int64(cfg.Limits.ClipBytes)),
			ClipBytes: int64(cfg.Limits.ClipBytes), ClipSeconds: cfg.Limits.ClipDuration.Seconds()},
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	a.ln = httpapi.LimitConns(ln, cfg.HTTP.ConnsPerClient, trusted, a.log)
	a.http = httpapi.NewHTTPServer(cfg.Addr, a.api.Handler(), cfg.HTTP.BodyTimeout)
	return nil
}

// uploadCap bounds one upload request: many files, each bounded by intake on its own, or
// one video clip.
func uploadCap(fileBytes, clipBytes int64) int64 {
	return max(fileBytes*20, clipBytes, 64<<20) + 1<<20
}

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
	return a.storageReady(ctx)
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

// serveMetrics starts the metrics listener. The default address (auto) moves up to the next
// free port, so a second simvid on the host still starts; an address the operator wrote is
// taken as given, and a busy one stops the process with a message saying what to do.
func (a *App) serveMetrics(ctx context.Context) error {
	addr := a.cfg.MetricsAddr
	if addr == "" {
		return nil
	}
	if addr != config.MetricsAuto {
		got, err := a.metrics.Serve(ctx, addr)
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("metrics_addr %s is in use by another process: choose a free address, %q (the first free port from %d) or \"off\": %w",
				addr, config.MetricsAuto, config.MetricsAutoPort, err)
		}
		if err != nil {
			return fmt.Errorf("metrics on %s: %w", addr, err)
		}
		a.metricsAddr = got
		a.log.Info("metrics listening on", zap.String("addr", got))
		return nil
	}
	ln, err := metrics.ListenFirstFree(config.MetricsAutoHost, config.MetricsAutoPort, config.MetricsAutoTries)
	if err != nil {
		return fmt.Errorf("metrics_addr auto: %w (set metrics_addr to a free address or \"off\")", err)
	}
	a.metricsAddr = a.metrics.ServeOn(ctx, ln)
	fields := []zap.Field{zap.String("addr", a.metricsAddr)}
	if want := net.JoinHostPort(config.MetricsAutoHost, strconv.Itoa(config.MetricsAutoPort)); a.metricsAddr != want {
		fields = append(fields, zap.String("busy", want), zap.String("why", "another process on this host holds the default port"))
	}
	a.log.Info("metrics listening on", fields...)
	return nil
}

// Run starts the roles and blocks until ctx ends; then it stops them in order: HTTP first
// (in-flight requests finish, streams end), then the workers within the grace period.
func (a *App) Run(ctx context.Context, started func()) error {
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	if err := a.serveMetrics(bg); err != nil {
		return err
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
