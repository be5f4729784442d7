package jobs

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/gocraft/work"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/fetch"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/simvid"
)

// imageLinkJob fetches a picture given by link (a one-call render's slide) with simvid's own
// HTTP client, under the same address rules and caps as music links, takes it in like an
// upload and marks the asset ready; a render waiting for it then goes on.
func (w *Worker) imageLinkJob(job *work.Job) error {
	id, valid, err := payloadID(job, "asset_id", simvid.PrefixImage)
	log := w.Log.With(zap.String("asset_id", id), zap.String("job", job.ID))
	if err != nil {
		log.Warn("job from a newer release", zap.Error(err))
		return err
	}
	if !valid {
		log.Error("dropping a picture job with a bad payload", zap.Any("args", job.Args))
		return nil
	}
	ctx, cancel := context.WithTimeout(w.base, w.Opts.RenderTimeout)
	defer cancel()
	l, ok, err := acquireLease(ctx, w.Pool, leaseKey("image", id), w.id, w.Opts.LeaseTTL)
	if err != nil || !ok {
		return err
	}
	defer l.release()
	go l.keepAlive(ctx, cancel)
	w.clearMarker(ctx, "image", id)

	a, err := w.Store.GetAsset(ctx, id)
	if simvid.IsCode(err, simvid.ENotFound) {
		return nil // its project was deleted meanwhile
	}
	if err != nil || a.State != simvid.AssetFetching {
		return err
	}
	err = w.fetchImage(ctx, a)
	switch {
	case err == nil:
		log.Info("picture fetched", zap.Int("width", a.Width), zap.Int("height", a.Height))
		return nil
	case simvid.IsCode(err, simvid.ENotFound):
		return nil
	case errors.Is(context.Cause(w.base), errShutdown):
		w.setMarker(context.Background(), "image", id)
		return err // back to the queue
	}
	last := int64(job.Fails)+1 >= int64(w.Opts.MaxAttempts)
	if fetch.Final(err) || isInputError(err) || last {
		log.Warn("picture link failed", zap.Error(err), zap.Bool("last_attempt", last))
		w.failAsset(context.Background(), id, userMessage(err))
		return nil
	}
	log.Info("picture link failed; trying again later", zap.Error(err), zap.Int64("fails", job.Fails))
	w.setMarker(context.Background(), "image", id)
	return err
}

// fetchImage downloads the picture into the scratch area, runs the upload intake on it and
// records the asset as ready, updated in place.
func (w *Worker) fetchImage(ctx context.Context, a *simvid.Asset) error {
	if w.Links == nil {
		return simvid.Errorf(simvid.EUnprocessable, "this server does not fetch files from links%s", fetch.UploadInstead)
	}
	dir, err := w.Media.MkdirTemp("picture-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "picture")
	res, err := w.Links.FetchFile(ctx, a.SourceURL, path)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return err
	} else if err := w.checkKeyStorage(ctx, a.ProjectID, st.Size()); err != nil {
		return err
	}
	in := *a
	if n := media.DisplayName(res.Name); n != "" && n != "file" {
		in.OriginalName = n
	}
	if err := w.Intake.ImageInto(ctx, &in, f, nil); err != nil {
		return err
	}
	got, err := w.Store.UpdateAsset(ctx, a.ID, func(cur *simvid.Asset) error {
		if cur.State != simvid.AssetFetching {
			return simvid.Errorf(simvid.ENotFound, "the picture changed meanwhile")
		}
		cur.Fetched()
		cur.OriginalName, cur.Size, cur.SHA256, cur.Format = in.OriginalName, in.Size, in.SHA256, in.Format
		cur.Width, cur.Height, cur.Orientation, cur.PixFmt = in.Width, in.Height, in.Orientation, in.PixFmt
		cur.TakenAt = in.TakenAt
		return nil
	})
	if err != nil {
		_ = w.Media.DeleteAsset(a.ProjectID, a.ID)
		return err
	}
	*a = *got
	return nil
}
