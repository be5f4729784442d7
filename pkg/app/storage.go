package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/objstore"
	"github.com/simvid/simvid/pkg/simvid"
)

// openStorage opens the bucket of storage.url, when set. It does not contact the store:
// a store that is down at start is /readyz's business, not a reason not to start.
func (a *App) openStorage(ctx context.Context) error {
	if a.cfg.Storage.URL == "" {
		return nil
	}
	cfg, err := objstore.Parse(a.cfg.Storage.URL)
	if err != nil {
		return fmt.Errorf("storage.url: %w", err)
	}
	if a.bucket, err = objstore.Open(ctx, cfg, a.log); err != nil {
		return fmt.Errorf("storage.url: %w", err)
	}
	a.bucketHealth = objstore.NewHealth(a.bucket, 30*time.Second)
	a.metrics.AddStorageBytes(a.bucket.Stats)
	a.log.Info("object storage", zap.String("storage_url", cfg.String()))
	return nil
}

// storageReady is /readyz's bucket check (a probe remembered for a while). It says why in
// a few words, but not where: the endpoint and bucket are no business of a balancer's.
func (a *App) storageReady(ctx context.Context) error {
	if a.bucketHealth == nil {
		return nil
	}
	err := a.bucketHealth.Check(ctx)
	if err == nil {
		return nil
	}
	var pe *objstore.ProbeError
	if errors.As(err, &pe) {
		return simvid.Wrap(simvid.EUnavailable, err, "the object store is not usable: %s", pe.Reason)
	}
	return simvid.Wrap(simvid.EUnavailable, err, "the object store is not usable")
}
