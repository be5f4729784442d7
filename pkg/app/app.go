// Package app is the composition root: it builds every dependency once from the
// configuration, starts the parts a role needs and shuts them down in order.
package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"time"

	"github.com/gomodule/redigo/redis"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/apikey"
	"github.com/simvid/simvid/pkg/config"
	"github.com/simvid/simvid/pkg/engine"
	"github.com/simvid/simvid/pkg/events"
	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/httpapi"
	"github.com/simvid/simvid/pkg/jobs"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/metrics"
	"github.com/simvid/simvid/pkg/objstore"
	"github.com/simvid/simvid/pkg/ratelimit"
	"github.com/simvid/simvid/pkg/redisx"
	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
	"github.com/simvid/simvid/pkg/webhook"
)

// Roles say what one process does: serve HTTP, run queues (name -> concurrency), and whether
// it may start an embedded Redis when none is configured (only `simvid all`).
type Roles struct {
	Serve         bool
	Queues        map[string]int
	EmbeddedRedis bool
}

// App is one running simvid process.
type App struct {
	cfg         *config.Config
	log         *zap.Logger
	roles       Roles
	embedded    *redisx.Embedded
	redisURL    string
	pool        *redis.Pool
	store       store.Store
	media       *media.Files
	ff          *ffmpeg.Runner
	caps        *ffmpeg.Caps
	metrics     *metrics.Metrics
	svc         *service.Service
	keys        *apikey.Keys
	hub         *events.Hub
	api         *httpapi.Server
	worker      *jobs.Worker
	ln          net.Listener
	http        *http.Server
	metricsAddr string
	// bucket is storage.url's bucket (nil: files live in the data directory only), and
	// bucketHealth its remembered probe for /readyz.
	bucket       *objstore.Bucket
	bucketHealth *objstore.Health
	// webhookAllow is api.webhook_allow: where the sender may call, and so what a
	// callback_url may name when a render is asked for.
	webhookAllow []netip.Prefix
}

// New builds every dependency the roles need. Nothing is started yet but the embedded Redis.
func New(ctx context.Context, cfg *config.Config, log *zap.Logger, roles Roles) (_ *App, err error) {
	a := &App{cfg: cfg, log: log, roles: roles, metrics: metrics.New()}
	defer func() {
		if err != nil {
			a.Close() // what was built so far
		}
	}()
	if err := a.openRedis(); err != nil {
		return nil, err
	}
	a.ff = ffmpeg.New(cfg.FFmpeg.FFmpeg, cfg.FFmpeg.FFprobe, log).WithNice(cfg.Limits.ChildNice)
	a.metrics.AddToolUsage(toolUsage(a.ff.Usage()))
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if a.caps, err = a.ff.Capabilities(cctx); err != nil {
		return nil, fmt.Errorf("ffmpeg is not usable (%v); install it (apt-get install ffmpeg) or set ffmpeg.ffmpeg", err)
	}
	if !a.caps.H264 || !a.caps.AAC {
		return nil, fmt.Errorf("this ffmpeg (%s) lacks the libx264 or aac encoder", a.caps.Version)
	}
	if a.store, err = store.Open(ctx, cfg.DatabaseURL, cfg.DataDir, log); err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if err := a.openStorage(ctx); err != nil {
		return nil, err
	}
	if a.media, err = a.openFiles(); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	intake := media.NewIntake(a.ff, a.media, media.Limits{
		FileBytes: int64(cfg.Limits.FileBytes), ImagePixels: cfg.Limits.ImagePixels,
		AudioSeconds: cfg.Limits.AudioDuration.Seconds(), ProbeTimeout: cfg.FFmpeg.ProbeTimeout,
		Decodes: cfg.Limits.IntakeConcurrency, DecodePixels: cfg.Limits.IntakeTurnPixels,
		MinFreeDisk: uint64(cfg.Limits.MinFreeDisk),
		ClipBytes:   int64(cfg.Limits.ClipBytes), ClipSeconds: cfg.Limits.ClipDuration.Seconds(),
		ClipPixels: cfg.Limits.ClipPixels, ClipFPS: float64(cfg.Limits.ClipFPS),
	}, log)
	links, err := a.buildLinks()
	if err != nil {
		return nil, err
	}
	client := jobs.NewClient(a.pool, cfg.Jobs.RenderTimeout)
	eng := engine.New(a.ff, a.media.CacheDir(), a.media.TmpDir(), log)
	if a.media.Shared() {
		eng.WithShared(a.media) // the cache's entries are in the store for every host
	}
	// a.hub exists in a serve process only, and is built before any request can change a render.
	a.svc = service.New(service.Deps{
		Store: a.store, Files: a.media, Intake: intake, Queue: client, Transitions: a.caps.Transitions, Links: links,
		ProjectTTL: cfg.Retention.ProjectTTL, Log: log, FFmpegVersion: a.caps.Version, StillPath: eng.StillPath,
		Downloads: service.Downloads{Stream: cfg.Storage.Serve == config.ServeStream, LinkTTL: cfg.Storage.PresignTTL},
		Limits: service.Limits{
			ImagesPerProject: cfg.Limits.ImagesPerProject, ProjectBytes: int64(cfg.Limits.ProjectBytes),
			UnfinishedRenders: cfg.Limits.UnfinishedRenders, MinFreeDisk: uint64(cfg.Limits.MinFreeDisk),
			FilesPerRequest: cfg.Limits.FilesPerRequest,
			Spec:            simvid.Limits{MaxSlides: cfg.Limits.SlidesPerRender, MaxVideoLength: cfg.Limits.VideoDuration.Seconds()},
		},
		Notify: func(ctx context.Context, r *simvid.Render) {
			if a.hub != nil {
				a.hub.Observe(r)
			}
			_ = events.Publish(ctx, a.pool, r)
		},
		ClientLock: func(ctx context.Context, client string) (func(), error) {
			// 10 s outlives any count and insert; 5 s of waiting covers a burst of one client's requests.
			return redisx.Lock(ctx, a.pool, "simvid:lock:renders:"+client, 10*time.Second, 5*time.Second)
		},
		NotifyGone: func(ctx context.Context, projectID string) {
			if a.hub != nil {
				a.hub.Forget(projectID)
			}
			_ = events.PublishProjectGone(ctx, a.pool, projectID)
		},
	})
	a.keys = &apikey.Keys{Store: a.store}
	allow, err := ratelimit.ParseTrusted("api.webhook_allow", cfg.API.WebhookAllow)
	if err != nil {
		return nil, err
	}
	a.webhookAllow, a.keys.WebhookAllow = allow, allow
	a.metrics.AddQueueDepth(a.queueDepth, jobs.Queues)
	if roles.Serve {
		if err := a.buildHTTP(); err != nil {
			return nil, err
		}
	}
	if len(roles.Queues) > 0 {
		a.worker, err = jobs.NewWorker(jobs.Deps{
			Pool: a.pool, Store: a.store, Media: a.media, Intake: intake,
			Engine: eng, FFmpegVersion: a.caps.Version, Links: links, Webhooks: webhook.NewSender(allow, cfg.API.WebhookTimeout),
			Metrics: a.metrics, Log: log, Opts: a.jobOptions(),
		}, roles.Queues)
		if err != nil {
			return nil, err
		}
	}
	return a, nil
}

func (a *App) openRedis() error {
	a.redisURL = a.cfg.RedisURL
	if a.redisURL == "" {
		if !a.roles.EmbeddedRedis {
			return errors.New("no Redis configured: set redis_url (SIMVID_REDIS_URL or REDIS_URL, e.g. redis://127.0.0.1:6379/0); only `simvid all` can run on an embedded Redis")
		}
		emb, err := redisx.StartEmbedded("")
		if err != nil {
			return fmt.Errorf("embedded redis: %w", err)
		}
		a.embedded, a.redisURL = emb, emb.URL()
		a.log.Warn("no Redis configured: using an embedded in-process Redis; queue state lives in memory and the reconciler restores unfinished renders after a restart")
	}
	pool, err := redisx.NewPool(a.redisURL, 0)
	if err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	a.pool = pool
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := redisx.Ping(ctx, pool); err != nil {
		return fmt.Errorf("redis at %s is not reachable: %w", redisx.Redact(a.redisURL), err)
	}
	return nil
}

func (a *App) jobOptions() jobs.Options {
	j := a.cfg.Jobs
	return jobs.Options{
		MaxAttempts: j.MaxAttempts, Backoff: j.Backoff, RenderTimeout: j.RenderTimeout, LeaseTTL: j.LeaseTTL,
		ReconcileInterval: j.ReconcileInterval, MusicWait: j.MusicWait, DiskWait: j.DiskWait, ProjectTTL: a.cfg.Retention.ProjectTTL,
		RetentionInterval: a.cfg.Retention.Interval, CacheBytes: int64(a.cfg.Retention.CacheBytes),
		MinFreeDisk: uint64(a.cfg.Limits.MinFreeDisk), Threads: a.cfg.FFmpeg.Threads, Parallel: runtime.NumCPU(),
		WebhookBackoff: a.cfg.API.WebhookBackoff, WebhookRetryFor: a.cfg.API.WebhookRetryFor, PublicURL: strings.TrimSuffix(a.cfg.PublicURL, "/"),
	}
}

func (a *App) queueDepth(queue string) (float64, error) {
	conn := a.pool.Get()
	defer conn.Close()
	n, err := jobs.QueueDepth(conn, queue)
	return float64(n), err
}
