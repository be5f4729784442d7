package app

import (
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/media/mediastore"
)

// openFiles lays out the data directory and, with storage.url's bucket open, puts it on the
// bucket: every file that outlives a job is then uploaded and fetched, and the data directory
// is this host's scratch space and a cache of at most storage.cache_bytes.
func (a *App) openFiles() (*media.Files, error) {
	if a.bucket == nil {
		return media.NewFiles(a.cfg.DataDir)
	}
	return media.NewRemoteFiles(a.cfg.DataDir, mediastore.New(a.bucket), int64(a.cfg.Storage.CacheBytes))
}
