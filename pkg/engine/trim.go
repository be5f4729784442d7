package engine

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/simvid/simvid/pkg/diskcache"
)

// Cache trimming keeps files touched within inUse (a render may be reading them) and removes
// abandoned temp files older than staleTemp.
const (
	inUse     = 2 * time.Minute
	staleTemp = time.Hour
)

// TrimCache brings the cache under max bytes, least recently used files first (a cache hit
// touches a file). It never removes a file whose key keep reports as needed, nor one used in
// the last minutes. max <= 0 only sweeps stale temp files.
func (e *Engine) TrimCache(max int64, keep func(key string) bool) (diskcache.Result, error) {
	var roots []string
	for _, sub := range []string{"stills", "segments", "audio", "posters"} {
		roots = append(roots, filepath.Join(e.cache, sub))
	}
	now := time.Now()
	return diskcache.Trim(roots, max, staleTemp, func(f diskcache.Entry) bool {
		key := strings.TrimSuffix(filepath.Base(f.Path), filepath.Ext(f.Path))
		return now.Sub(f.Used) < inUse || (keep != nil && keep(key))
	})
}
