package jobs

import (
	"context"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/simvid"
)

// sweepOrphans removes the store's project files that no database record names any more and
// that are older than media.OrphanAge: an upload never recorded (its request died between
// the two), a file whose delete failed. Over the data directory alone there is nothing to
// do: a project's directory goes with its project.
func (w *Worker) sweepOrphans(ctx context.Context) {
	if !w.Media.Shared() {
		return
	}
	res, err := w.Media.SweepOrphans(ctx, media.OrphanAge, w.recordedFile())
	if err != nil {
		w.Log.Warn("sweeping orphaned objects", zap.Error(err), zap.Int("removed", res.Removed))
		return
	}
	if res.Removed > 0 {
		w.Log.Info("orphaned objects removed", zap.Int("removed", res.Removed), zap.Int64("freed_bytes", res.Freed),
			zap.Int("objects", res.Objects))
	}
}

// recordedFile reports whether a stored file's project, and its asset or render, are in the
// database (of the same project). A lookup that fails is an error, never "orphaned". It
// remembers projects for one sweep: most objects share one with their neighbours.
func (w *Worker) recordedFile() func(context.Context, media.StoredFile) (bool, error) {
	projects := map[string]bool{}
	return func(ctx context.Context, f media.StoredFile) (bool, error) {
		known, seen := projects[f.ProjectID]
		if !seen {
			_, err := w.Store.GetProject(ctx, f.ProjectID)
			if err != nil && !simvid.IsCode(err, simvid.ENotFound) {
				return true, err
			}
			known = err == nil
			projects[f.ProjectID] = known
		}
		if !known {
			return false, nil
		}
		var owner string
		var err error
		switch {
		case f.AssetID != "":
			var a *simvid.Asset
			if a, err = w.Store.GetAsset(ctx, f.AssetID); err == nil {
				owner = a.ProjectID
			}
		case f.RenderID != "":
			var r *simvid.Render
			if r, err = w.Store.GetRender(ctx, f.RenderID); err == nil {
				owner = r.ProjectID
			}
		default:
			return true, nil
		}
		if simvid.IsCode(err, simvid.ENotFound) {
			return false, nil
		}
		if err != nil {
			return true, err
		}
		return owner == f.ProjectID, nil
	}
}
