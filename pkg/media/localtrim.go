package media

import (
	"path/filepath"
	"time"

	"github.com/simvid/simvid/pkg/diskcache"
)

// Over an object store the data directory's copies of stored files are a cache: any of them
// can be fetched again. These bound it.
const (
	// localInUse spares files used this recently: a tool may be about to open one (a
	// fetched file is read within moments; an open file stays readable when removed).
	localInUse = 2 * time.Minute
	// trimEvery is the least time between two trims that uploads and fetches start.
	trimEvery = 30 * time.Second
)

// maybeTrim starts a trim of the local copies in the background when the bound is set and no
// trim ran for trimEvery; uploads and fetches call it, so every role (serve has no periodic
// work) keeps its copies bounded.
func (s *Files) maybeTrim() {
	if s.remote == nil || s.localBytes <= 0 {
		return
	}
	s.trimMu.Lock()
	if s.trimming || time.Since(s.lastTrim) < trimEvery {
		s.trimMu.Unlock()
		return
	}
	s.trimming, s.lastTrim = true, time.Now()
	s.trimMu.Unlock()
	go func() {
		_, _ = s.TrimLocal(s.localBytes)
		s.trimMu.Lock()
		s.trimming = false
		s.trimMu.Unlock()
	}()
}

// TrimLocal brings the local copies of stored files (projects/ and cache/) under max bytes,
// least recently used first, sparing files used in the last localInUse. It does nothing
// without a store: there the data directory holds the only copy.
func (s *Files) TrimLocal(max int64) (diskcache.Result, error) {
	if s.remote == nil || max <= 0 {
		return diskcache.Result{}, nil
	}
	now := time.Now()
	roots := []string{filepath.Join(s.root, "projects"), filepath.Join(s.root, "cache")}
	return diskcache.Trim(roots, max, 0, func(f diskcache.Entry) bool { return now.Sub(f.Used) < localInUse })
}
