package app

import (
	"context"
	"fmt"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/media/mediastore"
	"github.com/simvid/simvid/pkg/objstore"
)

// openFiles lays out the data directory and, with storage.url set, puts it on the bucket:
// every file that outlives a job is then uploaded and fetched, and the data directory is
// this host's scratch space and cache of at most storage.cache_bytes.
func (a *App) openFiles(ctx context.Context) (*media.Files, error) {
	if a.cfg.Storage.URL == "" {
		return media.NewFiles(a.cfg.DataDir)
	}
	cfg, err := objstore.Parse(a.cfg.Storage.URL)
	if err != nil {
		return nil, fmt.Errorf("storage.url: %w", err)
	}
	b, err := objstore.Open(ctx, cfg, a.log)
	if err != nil {
		return nil, fmt.Errorf("storage.url: %w", err)
	}
	a.log.Info("files live in the object store; the data directory is scratch and cache",
		zap.String("storage_url", cfg.String()), zap.Int64("cache_bytes", int64(a.cfg.Storage.CacheBytes)))
	return media.NewRemoteFiles(a.cfg.DataDir, mediastore.New(b), int64(a.cfg.Storage.CacheBytes))
}
