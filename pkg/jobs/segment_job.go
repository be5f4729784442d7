package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gocraft/work"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/engine"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// EnqueueSegment queues the encoding of one group of a render's segments. The payload names
// the group by index and key, and its segments by their indexes in the plan (the groups are
// cut from what the coordinator found missing in the cache: another worker could not cut
// the same); the worker plans the render again and checks the key.
func (c *Client) EnqueueSegment(ctx context.Context, renderID string, g render.Group) error {
	if _, err := c.video.Enqueue(JobSegment, work.Q{"render_id": renderID, "group": g.Index,
		"key": g.Key, "segments": g.SegmentIndexes(), "v": PayloadVersion, "queued_ms": time.Now().UnixMilli()}); err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", JobSegment, err)
	}
	return nil
}

// segmentJob encodes one group of a render's segments into the cache. It is safe to run any
// number of times: a group already in the cache is only recorded, a group another worker holds
// is left to it (the coordinator takes it over if that worker dies).
func (w *Worker) segmentJob(job *work.Job) error {
	id, valid, err := payloadID(job, "render_id", simvid.PrefixRender)
	key, idx := job.ArgString("key"), int(job.ArgInt64("group"))
	log := w.Log.With(zap.String("render_id", id), zap.String("job", job.ID), zap.Int("group", idx))
	if err != nil {
		log.Warn("job from a newer release", zap.Error(err))
		return err
	}
	if !valid || key == "" {
		log.Error("dropping a segment job with a bad payload", zap.Any("args", job.Args))
		return nil
	}
	// The time the job waited in the queue, recorded once the job encodes its group.
	waited := time.Duration(-1)
	if q, ok := job.Args["queued_ms"].(float64); ok { // absent in older payloads
		waited = time.Since(time.UnixMilli(int64(q)))
		log.Debug("segment job picked up", zap.Duration("queued", waited))
	}
	if w.diskLow() {
		log.Warn("the data directory is nearly full: leaving the group to the render's coordinator")
		return nil
	}
	ctx, cancel := context.WithCancelCause(w.base)
	defer cancel(nil)
	if w.Opts.RenderTimeout > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeout(ctx, w.Opts.RenderTimeout)
		defer stop()
	}
	go w.watchCancel(ctx, id, cancel)
	r, err := w.Store.GetRender(ctx, id)
	if simvid.IsCode(err, simvid.ENotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if r.State.Finished() || r.CancelAsked {
		return nil
	}
	pr, ok := w.plans.get(id)
	if !ok {
		in, paths, err := w.gatherInputs(ctx, r, w.assetAsIs)
		if err != nil {
			log.Info("segment job: inputs unavailable; the render job will report it", zap.Error(err))
			return nil
		}
		plan, err := render.NewPlan(in)
		if err != nil {
			return nil // the render job fails with the same error
		}
		pr = plannedRender{plan: plan, paths: paths}
		w.plans.put(id, pr)
	}
	g, ok := pr.group(idx, key, payloadInts(job, "segments"), w.Opts.GroupCost)
	if !ok {
		log.Warn("segment job does not match the render's plan; dropping it")
		return nil
	}
	plan, paths := pr.plan, pr.paths
	if w.Engine.GroupStored(ctx, g) {
		return markGroupDone(ctx, w.Pool, id, g)
	}
	w.Metrics.Busy(QueueVideo, 1)
	defer w.Metrics.Busy(QueueVideo, -1)
	if err := w.prepareGroupStills(ctx, plan, g, paths); err != nil {
		return w.groupFailed(ctx, err, log)
	}
	// Only a job that encodes its group counts as a hand-off: one whose group the coordinator
	// or another worker made meanwhile (every queued job of a render one worker made alone)
	// waited for nothing, and its wait said nothing of how fast work is handed over.
	if pr.groups == nil { // another process coordinates: its groups, for claims ahead
		if pr.groups = loadGroups(ctx, w.Pool, id, plan); pr.groups != nil {
			w.plans.put(id, pr)
		}
	}
	prepare := func(ctx context.Context, gr render.Group) error { return w.prepareGroupStills(ctx, plan, gr, paths) }
	ran, err := w.runGroup(engine.WithSources(ctx, paths.images), id, g, engine.EncoderFor(plan, w.Opts.Threads, w.videoSlots), pr.groups, prepare)
	if ran {
		w.Metrics.QueueWaited(JobSegment, waited)
	}
	if err != nil {
		return w.groupFailed(ctx, err, log)
	}
	if ran {
		log.Debug("segment group encoded", zap.Int("segments", len(g.Segments)), zap.Int64("frames", g.Encoded))
	}
	return nil
}

// groupFailed decides whether a failed group job goes back to the queue: not when the render
// was canceled, the lease passed on, or the worker is stopping (the coordinator finishes it).
func (w *Worker) groupFailed(ctx context.Context, err error, log *zap.Logger) error {
	cause := context.Cause(ctx)
	if errors.Is(err, errLeaseLost) || errors.Is(cause, errUserCanceled) || errors.Is(cause, errShutdown) {
		return nil
	}
	if isInputError(err) {
		log.Info("segment group failed on its input; the render job reports it", zap.Error(err))
		return nil
	}
	log.Warn("segment group failed", zap.Error(err))
	return err
}

// prepareGroupStills makes sure the stills g's segments read are cached. The coordinator
// prepares every still before it fans out, so this is a stat per still unless the cache was
// trimmed or is not shared.
func (w *Worker) prepareGroupStills(ctx context.Context, plan *render.Plan, g render.Group, paths inputPaths) error {
	for _, sg := range g.Segments {
		for _, k := range sg.Stills {
			st, err := plan.StillOf(k)
			if err != nil {
				return err
			}
			if _, err := w.Engine.PrepareStill(ctx, st, paths.images[st.Asset]); err != nil {
				return err
			}
		}
	}
	return nil
}

// runGroup claims g's lease and encodes it (with groups ahead of it: encodeClaimed); ran is
// false when another worker holds it.
func (w *Worker) runGroup(ctx context.Context, renderID string, g render.Group, enc render.Encoder,
	groups []render.Group, prepare func(context.Context, render.Group) error) (ran bool, err error) {
	l, err := w.claimGroup(ctx, renderID, g)
	if l == nil {
		return false, err
	}
	_, err = w.encodeClaimed(ctx, l, renderID, g, enc, groups, prepare)
	return true, err
}

// claimGroup takes g's lease; nil when another worker holds it or has just finished it (the
// check under the lease closes the gap between a caller's cache check and its claim). A group
// found in the cache is recorded done in the render's fan-in: the coordinator learns of done
// groups from there alone (it may have been made for another render).
func (w *Worker) claimGroup(ctx context.Context, renderID string, g render.Group) (*lease, error) {
	l, ok, err := acquireLease(ctx, w.Pool, leaseKey("segment", g.Key), w.id, w.Opts.LeaseTTL)
	if err != nil || !ok {
		return nil, err
	}
	if w.Engine.GroupStored(ctx, g) {
		l.release()
		return nil, markGroupDone(ctx, w.Pool, renderID, g)
	}
	return l, nil
}

// encodeClaimed encodes a claimed group, with the later groups it claims ahead (claimAhead;
// groups are the render's, nil when unknown) in the same keyframes run, renewing their leases
// while ffmpeg runs and releasing them at the end, and records the groups as done in the
// render's fan-in. If a lease is lost (this process stalled past its TTL and another worker
// took the group) ffmpeg is stopped. prepare (nil: the stills are prepared) makes sure the
// stills of a group claimed ahead are here; one that fails is left to its own job, which
// reports it. done is how many groups it recorded done.
func (w *Worker) encodeClaimed(ctx context.Context, l *lease, renderID string, g render.Group, enc render.Encoder,
	groups []render.Group, prepare func(context.Context, render.Group) error) (done int, err error) {
	defer l.release()
	gctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go l.keepAlive(gctx, func() { cancel(errLeaseLost) })
	var ahead []claimed
	for _, c := range w.claimAhead(gctx, renderID, g, groups, enc) {
		if prepare != nil && prepare(gctx, c.group) != nil {
			c.lease.release()
			continue
		}
		go c.lease.keepAlive(gctx, func() { cancel(errLeaseLost) })
		ahead = append(ahead, c)
	}
	defer func() { // their renewals stopped first: a renewal after the release would take a lease again
		cancel(nil)
		for _, c := range ahead {
			c.lease.release()
		}
	}()
	all := []render.Group{g}
	for _, c := range ahead {
		all = append(all, c.group)
	}
	m := merged(g, ahead)
	cached, err := w.Engine.EncodeGroup(gctx, m, enc, groupFrames(w.Pool, renderID, all))
	if err != nil {
		if errors.Is(context.Cause(gctx), errLeaseLost) {
			return 0, errLeaseLost
		}
		return 0, err
	}
	if len(ahead) > 0 {
		w.Log.Debug("groups encoded with the keyframes of one run", zap.String("render_id", renderID), zap.Int("groups", len(all)))
	}
	for i, gr := range all {
		if w.testHooks.groupEncoded != nil {
			n := 0 // the segments encoded, all counted with the first group
			if i == 0 {
				n = len(m.Segments) - cached
			}
			w.testHooks.groupEncoded(renderID, gr, n)
		}
		if err := markGroupDone(ctx, w.Pool, renderID, gr); err != nil {
			return i, err
		}
	}
	return len(all), nil
}

// assetAsIs reads an asset without waiting for it to be ready.
func (w *Worker) assetAsIs(ctx context.Context, _ *simvid.Render, id string) (*simvid.Asset, error) {
	return w.Store.GetAsset(ctx, id)
}
