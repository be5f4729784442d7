package jobs

import (
	"context"
	"time"

	"github.com/gomodule/redigo/redis"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/events"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

// deadKeep is how many dead jobs each queue keeps for operators to look at.
const deadKeep = 1000

// runPeriodic runs the reconciler often and retention (with the store's orphan sweep) rarely, each under a Redis leader lock
// so that one worker in the fleet does it per period. Both are idempotent.
func (w *Worker) runPeriodic(ctx context.Context) {
	w.reconcileOnce(ctx) // at start: a restarted process picks up what it left
	w.trimCache(ctx)
	rec := time.NewTicker(w.Opts.ReconcileInterval)
	defer rec.Stop()
	retInterval := w.Opts.RetentionInterval
	if retInterval <= 0 {
		retInterval = time.Hour
	}
	ret := time.NewTicker(retInterval)
	defer ret.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-rec.C:
			if ok, _ := tryLock(ctx, w.Pool, "reconcile", w.Opts.ReconcileInterval*9/10); ok {
				w.reconcileOnce(ctx)
			}
		case <-ret.C:
			if ok, _ := tryLock(ctx, w.Pool, "retention", retInterval*9/10); ok {
				w.retentionOnce(ctx)
				w.sweepOrphans(ctx)
				w.trimCache(ctx)
				w.trimDead(ctx)
				if err := w.Media.SweepTemp(media.TempMaxAge); err != nil {
					w.Log.Warn("sweeping temporary files", zap.Error(err))
				}
			}
		}
	}
}

// reconcileOnce re-enqueues every unfinished render and music asset that no worker holds and
// no queue carries: the database is the truth, Redis may have lost its state.
func (w *Worker) reconcileOnce(ctx context.Context) {
	renders, err := w.Store.ListRenders(ctx, simvid.RenderFilter{States: simvid.UnfinishedStates(), Limit: 1000})
	if err != nil {
		w.Log.Warn("reconcile: list renders", zap.Error(err))
		return
	}
	for _, r := range renders {
		if w.orphaned(ctx, "render", r.ID) {
			w.Log.Info("reconcile: re-enqueuing a render nobody runs", zap.String("render_id", r.ID), zap.String("state", string(r.State)))
			if err := w.client.EnqueueRender(ctx, r.ID); err != nil {
				w.Log.Warn("reconcile: enqueue", zap.Error(err))
				return
			}
		}
	}
	w.reconcileAssets(ctx)
}

// reconcileAssets re-enqueues music and pictures still being fetched or prepared that no
// worker holds and no queued job names.
func (w *Worker) reconcileAssets(ctx context.Context) {
	assets, err := w.Store.ListUnfinishedAssets(ctx)
	if err != nil {
		return
	}
	for _, a := range assets {
		switch {
		case a.Kind == simvid.KindAudio && w.orphaned(ctx, "audio", a.ID):
			_ = w.client.EnqueuePrepareAudio(ctx, a.ID)
		case a.Kind == simvid.KindImage && a.State == simvid.AssetFetching && w.orphaned(ctx, "image", a.ID):
			_ = w.client.EnqueueFetchImage(ctx, a.ID)
		}
	}
}

// orphaned reports whether neither a lease nor a queued marker exists for the work.
func (w *Worker) orphaned(ctx context.Context, kind, id string) bool {
	conn, err := w.Pool.GetContext(ctx)
	if err != nil {
		return false
	}
	defer conn.Close()
	n, err := redis.Int(conn.Do("EXISTS", leaseKey(kind, id), queuedKey(kind, id)))
	return err == nil && n == 0
}

// retentionOnce deletes anonymous projects idle for longer than ProjectTTL, never one with an
// unfinished render.
func (w *Worker) retentionOnce(ctx context.Context) {
	ttl := store.ProjectTTL(ctx, w.Store, w.Opts.ProjectTTL) // the admin's setting wins
	if ttl <= 0 {
		return
	}
	old, err := store.ExpiredProjects(ctx, w.Store, ttl, 500)
	if err != nil {
		w.Log.Warn("retention: list", zap.Error(err))
		return
	}
	for _, p := range old {
		freed, err := w.Media.DeleteProject(p.ID)
		if err == nil {
			err = w.Store.DeleteProject(ctx, p.ID)
		}
		if err == nil && w.Pool != nil {
			// Lost, it leaves the serves' caches answering its renders for up to FinishedTrust.
			_ = events.PublishProjectGone(ctx, w.Pool, p.ID)
		}
		w.Log.Info("retention: project expired", zap.String("project_id", p.ID), zap.Int64("freed_bytes", freed), zap.Error(err))
	}
}

// trimDead keeps the dead sets from growing without bound (gocraft/work never trims them).
func (w *Worker) trimDead(ctx context.Context) {
	conn, err := w.Pool.GetContext(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	for _, q := range Queues {
		_, _ = conn.Do("ZREMRANGEBYRANK", Namespace(q)+":dead", 0, -deadKeep-1)
	}
}

// trimCache keeps the render cache under its cap, sparing every file an unfinished render
// will read: those renders are planned again here to learn their keys.
func (w *Worker) trimCache(ctx context.Context) {
	keep := map[string]bool{}
	renders, err := w.Store.ListRenders(ctx, simvid.RenderFilter{States: simvid.UnfinishedStates(), Limit: 1000})
	if err != nil {
		return // without the list nothing is safe to remove
	}
	asIs := func(ctx context.Context, _ *simvid.Render, id string) (*simvid.Asset, error) {
		return w.Store.GetAsset(ctx, id)
	}
	for _, r := range renders {
		in, _, err := w.gatherInputs(ctx, r, asIs)
		if err != nil {
			continue // it will fail on its own; its files are not needed
		}
		v, err := render.NewPlan(in)
		if err != nil {
			continue
		}
		for _, k := range v.Keys() {
			keep[k] = true
		}
	}
	res, err := w.Engine.TrimCache(w.Opts.CacheBytes, func(k string) bool { return keep[k] })
	if err != nil {
		w.Log.Warn("trimming the render cache", zap.Error(err))
		return
	}
	if res.Removed > 0 {
		w.Log.Info("render cache trimmed", zap.Int("removed", res.Removed), zap.Int64("freed_bytes", res.Freed),
			zap.Int64("cache_bytes", res.Bytes-res.Freed))
	}
}
