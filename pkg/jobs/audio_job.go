package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/gocraft/work"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/simvid"
)

// audioJob makes a music asset's working copy and waveform; for music from a link it first
// fetches it (link_job.go).
func (w *Worker) audioJob(job *work.Job) error {
	id, valid, err := payloadID(job, "asset_id", simvid.PrefixAudio)
	log := w.Log.With(zap.String("asset_id", id), zap.String("job", job.ID))
	if err != nil {
		log.Warn("job from a newer release", zap.Error(err))
		return err
	}
	if !valid {
		log.Error("dropping an audio job with a bad payload", zap.Any("args", job.Args))
		return nil
	}
	ctx, cancel := context.WithTimeout(w.base, w.Opts.RenderTimeout)
	defer cancel()
	l, ok, err := acquireLease(ctx, w.Pool, leaseKey("audio", id), w.id, w.Opts.LeaseTTL)
	if err != nil {
		return err
	}
	if !ok {
		return nil
	}
	defer l.release()
	go l.keepAlive(ctx, cancel)
	w.clearMarker(ctx, "audio", id)

	a, err := w.Store.GetAsset(ctx, id)
	if simvid.IsCode(err, simvid.ENotFound) {
		return nil // the music or its project was deleted meanwhile
	}
	if err != nil {
		return err
	}
	if a.State == simvid.AssetFetching {
		done, err := w.fetchLink(ctx, log, job, a)
		if !done {
			return err
		}
	}
	if a.State != simvid.AssetProcessing {
		return nil
	}
	if err := w.Intake.PrepareAudio(ctx, a); err != nil {
		if errors.Is(context.Cause(w.base), errShutdown) {
			w.setMarker(context.Background(), "audio", id)
			return err // back to the queue
		}
		if isInputError(err) || int64(job.Fails)+1 >= int64(w.Opts.MaxAttempts) {
			log.Warn("music preparation failed", zap.Error(err))
			w.failAsset(context.Background(), id, userMessage(err))
			return nil
		}
		w.setMarker(context.Background(), "audio", id)
		return err
	}
	// The pieces any project choosing this music shares (it may join another at render
	// time), before the music is ready: a render starts when it is, and one that started
	// while they were still being made made them all again beside them (issue 20: the
	// bench's cold render spent 2.58 CPU s on music, two encodings of the whole track, where
	// its fade-out's piece is all it needs). The project's own mix, queued next, then finds
	// them and makes only its ends.
	start := time.Now()
	if n, err := w.prepareTrackPieces(ctx, a); errors.Is(context.Cause(w.base), errShutdown) {
		w.setMarker(context.Background(), "audio", id)
		return context.Cause(w.base) // back to the queue: the music is not ready yet
	} else if err != nil {
		log.Info("music pieces not prepared in advance; the render will make them", zap.Error(err))
	} else if n > 0 {
		log.Info("music pieces prepared", zap.Int("pieces", n), zap.Duration("took", time.Since(start)))
	}
	_, err = w.Store.UpdateAsset(ctx, id, func(cur *simvid.Asset) error {
		cur.Peaks, cur.Beats = a.Peaks, a.Beats
		cur.Ready()
		return nil
	})
	if err != nil && !simvid.IsCode(err, simvid.ENotFound) {
		return err
	}
	log.Info("music ready", zap.Float64("seconds", a.Duration), zap.Bool("beats", a.Beats != nil && a.Beats.Tempo > 0))
	// Now the project's mix can be made, before a render asks for it.
	if err := w.client.EnqueueMixMusic(ctx, a.ProjectID); err != nil {
		log.Info("music mix not queued; the render will prepare it", zap.Error(err))
	}
	return nil
}

func (w *Worker) failAsset(ctx context.Context, id, msg string) {
	if !simvid.ValidID(simvid.PrefixAudio, id) && !simvid.ValidID(simvid.PrefixImage, id) {
		return
	}
	_, err := w.Store.UpdateAsset(ctx, id, func(a *simvid.Asset) error {
		a.Fail(msg)
		return nil
	})
	if err != nil && !simvid.IsCode(err, simvid.ENotFound) {
		w.Log.Error("could not record an asset failure", zap.String("asset_id", id), zap.Error(err))
	}
}
