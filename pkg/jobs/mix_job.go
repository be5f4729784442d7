package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/gocraft/work"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/engine"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// errNotReady stops the gathering of a mix's inputs at an asset that is still being made:
// the job that makes it queues the mix again when it is done (music), or the render waits
// for it and prepares the music itself.
var errNotReady = errors.New("asset not ready yet")

// mixMusicJob prepares a project's music mix (trim, loop, fades, volume, AAC of exactly the
// video's length) for the project's current settings, so that its next render finds the
// music in the cache as it finds the stills prepared at upload. The project is planned as a
// render of it would be (the same frozen spec, the same input gathering, the same planner),
// so the cache key is the one that render will look for. The job is an optimisation only:
// whatever goes wrong is logged and dropped, and the render prepares the music itself.
func (w *Worker) mixMusicJob(job *work.Job) error {
	id, valid, err := payloadID(job, "project_id", simvid.PrefixProject)
	log := w.Log.With(zap.String("project_id", id), zap.String("job", job.ID))
	if err != nil {
		log.Warn("job from a newer release", zap.Error(err))
		return err
	}
	if !valid {
		log.Error("dropping a music mix job with a bad payload", zap.Any("args", job.Args))
		return nil
	}
	ctx, cancel := context.WithTimeout(w.base, w.Opts.RenderTimeout)
	defer cancel()
	start := time.Now()
	made, key, err := w.mixMusic(ctx, id)
	switch {
	case err != nil:
		log.Info("music mix not prepared in advance; the render will prepare it", zap.Error(err))
	case made:
		log.Info("music mix prepared", zap.String("key", key), zap.Duration("took", time.Since(start)))
	}
	return nil
}

// mixMusic prepares the mix of project id's music, unless there is none to prepare or it is
// in the cache already. made says whether ffmpeg ran.
func (w *Worker) mixMusic(ctx context.Context, id string) (made bool, key string, err error) {
	p, err := w.Store.GetProject(ctx, id)
	if simvid.IsCode(err, simvid.ENotFound) {
		return false, "", nil // deleted meanwhile
	}
	if err != nil {
		return false, "", err
	}
	spec := p.Spec.Frozen()
	if len(spec.Audio) == 0 || len(spec.Slides) == 0 {
		return false, "", nil
	}
	ready := func(ctx context.Context, _ *simvid.Render, assetID string) (*simvid.Asset, error) {
		a, err := w.Store.GetAsset(ctx, assetID)
		if err == nil && a.State != simvid.AssetReady {
			return nil, errNotReady
		}
		return a, err
	}
	in, paths, err := w.gatherInputs(ctx, &simvid.Render{ProjectID: p.ID, Spec: spec}, ready)
	if errors.Is(err, errNotReady) {
		return false, "", nil
	}
	if err != nil {
		return false, "", err
	}
	plan, err := render.NewPlan(in)
	if err != nil || plan.Audio == nil {
		return false, "", err
	}
	key = plan.Audio.Key
	if w.Engine.Stored(ctx, w.Engine.AudioPath(key)) {
		return false, key, nil
	}
	// One encoder: the mix is made ahead of the render, beside whatever else the worker does.
	if err := w.onSide(func() error {
		_, err := w.Engine.PrepareAudio(engine.WithSources(ctx, paths.images), plan.Audio, paths.audio[plan.Audio.Asset], 1)
		return err
	}); err != nil {
		return false, key, err
	}
	return true, key, nil
}
