package jobs

import (
	"context"
	"sync"
	"time"

	"github.com/gomodule/redigo/redis"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/engine"
	"github.com/simvid/simvid/pkg/events"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// update changes a render record and tells every serve instance about it.
func (w *Worker) update(ctx context.Context, id string, fn func(*simvid.Render) error) (*simvid.Render, error) {
	r, err := w.Store.UpdateRender(ctx, id, fn)
	if err != nil {
		return nil, err
	}
	if err := events.Publish(ctx, w.Pool, r); err != nil {
		w.Log.Debug("publish failed; streams fall back to reading the record", zap.Error(err))
	}
	if r.State.Finished() {
		w.announce(context.WithoutCancel(ctx), r)
	}
	return r, nil
}

// announce queues the webhook of a finished render that has one: its own callback URL, or
// its project's API key (whose webhook URL is read when the call is made).
func (w *Worker) announce(ctx context.Context, r *simvid.Render) {
	if r.CallbackURL == "" {
		p, err := w.Store.GetProject(ctx, r.ProjectID)
		if err != nil || p.OwnerKey == "" {
			return
		}
	}
	if err := w.client.EnqueueWebhook(ctx, r.ID); err != nil {
		w.Log.Warn("enqueue webhook", zap.String("render_id", r.ID), zap.Error(err))
	}
}

// progressFunc returns the engine's progress callback: it writes frames, percent and ETA to
// the record at most twice a second, and the stage whenever it changes. Every report goes to
// est, written or not; the ETA is est's, measured in estimated work where the report has it
// (frames otherwise), and 0 (none shown) while est has no estimate worth showing.
func (w *Worker) progressFunc(ctx context.Context, id string, est *engine.ETA) func(engine.Progress) {
	var mu sync.Mutex
	var last time.Time
	stage := ""
	return func(p engine.Progress) {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		done, total := p.Work, p.WorkTotal
		if total <= 0 {
			done, total = float64(p.FramesDone), float64(p.FramesTotal)
		}
		eta, etaOK := est.Observe(now, p.Stage, done, total)
		if !etaOK {
			eta = 0 // unknown
		}
		if p.Stage == stage && now.Sub(last) < 500*time.Millisecond {
			return
		}
		last, stage = now, p.Stage
		_, err := w.update(ctx, id, func(r *simvid.Render) error {
			if r.State.Finished() {
				return errAlreadyFinished
			}
			r.Advance(p.FramesDone, p.FramesTotal, eta)
			switch p.Stage {
			case engine.StageFinalizing:
				r.Finalizing()
			case engine.StagePreparing:
				r.PreparingPictures()
			default:
				r.Rendering()
			}
			return nil
		})
		if err != nil && ctx.Err() == nil {
			w.Log.Debug("progress update failed", zap.String("render_id", id), zap.Error(err))
		}
	}
}

// watchCancel polls the render's cancel flag four times a second and cancels the job's
// context when a user asked to stop; ffmpeg dies with it.
func (w *Worker) watchCancel(ctx context.Context, id string, cancel context.CancelCauseFunc) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			conn, err := w.Pool.GetContext(ctx)
			if err != nil {
				continue
			}
			n, err := redis.Int(conn.Do("EXISTS", cancelKey(id)))
			conn.Close()
			if err == nil && n == 1 {
				cancel(errUserCanceled)
				return
			}
		}
	}
}

func (w *Worker) clearMarker(ctx context.Context, kind, id string) {
	if conn, err := w.Pool.GetContext(ctx); err == nil {
		_, _ = conn.Do("DEL", queuedKey(kind, id))
		conn.Close()
	}
}

func (w *Worker) setMarker(ctx context.Context, kind, id string) {
	if conn, err := w.Pool.GetContext(ctx); err == nil {
		_, _ = conn.Do("SET", queuedKey(kind, id), "1", "PX", w.Opts.RenderTimeout.Milliseconds())
		conn.Close()
	}
}

type inputPaths struct{ images, audio map[string]string }

// loadInputs gathers the probe facts and files of a render's pictures and music, waiting in
// preparing for music that the audio queue is still working on and pictures it is fetching.
func (w *Worker) loadInputs(ctx context.Context, r *simvid.Render) (render.Input, inputPaths, error) {
	in, paths, err := w.gatherInputs(ctx, r, w.waitForAsset)
	if err != nil || !r.Spec.BeatSync {
		return in, paths, err
	}
	return in, paths, w.findMissingBeats(ctx, r, &in)
}

// findMissingBeats finds the beats of music prepared before simvid tracked them (the audio
// queue finds them at upload) and stores them with the music, before the render is planned:
// the segment jobs, planning it again from the stored asset, see the same beats.
func (w *Worker) findMissingBeats(ctx context.Context, r *simvid.Render, in *render.Input) error {
	for id, au := range in.Audio {
		if au.Beats != nil || w.Intake == nil { // without intake, the plan falls back and says so
			continue
		}
		b, err := w.Intake.FindBeats(ctx, &simvid.Asset{ID: id, ProjectID: r.ProjectID})
		if err != nil {
			return err
		}
		_, err = w.Store.UpdateAsset(ctx, id, func(a *simvid.Asset) error {
			a.Beats = b
			return nil
		})
		if err != nil {
			return err
		}
		au.Beats = b
		in.Audio[id] = au
		w.Log.Info("beats found for the render", zap.String("render_id", r.ID), zap.String("asset_id", id),
			zap.Float64("tempo", b.Tempo), zap.Int("beats", len(b.Times)))
	}
	return nil
}

// gatherInputs is loadInputs with the way to get an asset given: waiting for it, or (for
// housekeeping) taking it as it is.
func (w *Worker) gatherInputs(ctx context.Context, r *simvid.Render,
	get func(context.Context, *simvid.Render, string) (*simvid.Asset, error)) (render.Input, inputPaths, error) {
	in := render.Input{Spec: r.Spec, Images: map[string]render.Image{}, Audio: map[string]render.Audio{}, FFmpegVersion: w.FFmpegVersion}
	paths := inputPaths{images: map[string]string{}, audio: map[string]string{}}
	// The project's records in one query, not one per slide (a 300-picture show: 300 reads
	// before every render and every other worker's first segment job); one that is not
	// ready, or not there, is asked of get, which may wait for it.
	ready := map[string]*simvid.Asset{}
	if len(r.Spec.Slides) > 1 {
		all, err := w.Store.ListAssets(ctx, r.ProjectID, "")
		if err != nil {
			return in, paths, err
		}
		for _, a := range all {
			if a.State == simvid.AssetReady {
				ready[a.ID] = a
			}
		}
	}
	for i, sl := range r.Spec.Slides {
		if _, ok := paths.images[sl.Asset]; ok {
			continue
		}
		a, ok := ready[sl.Asset]
		var err error
		if !ok {
			a, err = get(ctx, r, sl.Asset)
		}
		if simvid.IsCode(err, simvid.ENotFound) || (err == nil && (a.ProjectID != r.ProjectID || (a.Kind != simvid.KindImage && a.Kind != simvid.KindClip))) {
			return in, paths, simvid.Errorf(simvid.EUnprocessable, "slide %d's picture was removed from the project", i+1)
		}
		if err != nil {
			return in, paths, err
		}
		in.AddSlideAsset(a)
		if paths.images[a.ID], err = w.Media.Original(a.ProjectID, a.ID); err != nil {
			return in, paths, err
		}
	}
	for _, clip := range r.Spec.Audio {
		a, err := get(ctx, r, clip.Asset)
		if simvid.IsCode(err, simvid.ENotFound) || (err == nil && a.Kind != simvid.KindAudio) {
			return in, paths, simvid.Errorf(simvid.EUnprocessable, "the music was removed from the project")
		}
		if err != nil {
			return in, paths, err
		}
		in.Audio[a.ID] = render.Audio{SHA256: a.SHA256, Duration: a.Duration, Beats: a.Beats}
		if paths.audio[a.ID], err = w.Media.AudioWork(a.ProjectID, a.ID); err != nil {
			return in, paths, err
		}
	}
	return in, paths, nil
}

// waitForAsset returns an asset once it is ready: music the audio queue prepares, a picture
// it fetches from a link. It waits at most jobs.music_wait and says what it waits for.
func (w *Worker) waitForAsset(ctx context.Context, r *simvid.Render, assetID string) (*simvid.Asset, error) {
	deadline := time.Now().Add(w.Opts.MusicWait)
	told := false
	for {
		a, err := w.Store.GetAsset(ctx, assetID)
		if err != nil {
			return nil, err
		}
		what := "the music"
		if a.Kind == simvid.KindImage {
			what = "a picture from a link"
		}
		switch a.State {
		case simvid.AssetReady:
			return a, nil
		case simvid.AssetFailed:
			return nil, simvid.Errorf(simvid.EUnprocessable, "%s could not be prepared: %s", what, a.Error)
		}
		if time.Now().After(deadline) {
			return nil, simvid.Errorf(simvid.EInternal, "%s was not ready after %s", what, w.Opts.MusicWait)
		}
		if !told {
			told = true
			_, _ = w.update(ctx, r.ID, func(r *simvid.Render) error { r.WaitFor(a); return nil })
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}
