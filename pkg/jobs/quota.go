package jobs

import (
	"context"

	"github.com/simvid/simvid/pkg/apikey"
	"github.com/simvid/simvid/pkg/simvid"
)

// checkKeyStorage refuses a file of size bytes fetched from a link when it would take the
// project's API key past its storage quota. A link is an upload that the worker receives
// instead of serve: it counts against the same quota, checked here because only the worker
// knows the size. A project without a key, or whose key is gone, has no quota.
func (w *Worker) checkKeyStorage(ctx context.Context, projectID string, size int64) error {
	p, err := w.Store.GetProject(ctx, projectID)
	if err != nil || p.OwnerKey == "" {
		return err
	}
	key, err := w.Store.GetAPIKey(ctx, p.OwnerKey)
	if simvid.IsCode(err, simvid.ENotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	keys := apikey.Keys{Store: w.Store}
	return keys.CheckStorage(ctx, key, size)
}
