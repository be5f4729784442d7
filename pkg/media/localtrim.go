package media

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
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

// LocalTrim says what TrimLocal did.
type LocalTrim struct {
	Files, Removed int
	Bytes, Freed   int64
}

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
func (s *Files) TrimLocal(max int64) (LocalTrim, error) {
	var res LocalTrim
	if s.remote == nil || max <= 0 {
		return res, nil
	}
	type entry struct {
		path string
		size int64
		used time.Time
	}
	var files []entry
	for _, sub := range []string{"projects", "cache"} {
		err := filepath.WalkDir(filepath.Join(s.root, sub), func(path string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") { // a write in progress
				return err
			}
			if fi, err := d.Info(); err == nil {
				files = append(files, entry{path, fi.Size(), fi.ModTime()})
				res.Bytes += fi.Size()
			}
			return nil
		})
		if err != nil {
			return res, err
		}
	}
	res.Files = len(files)
	if res.Bytes <= max {
		return res, nil
	}
	sort.Slice(files, func(i, j int) bool { return files[i].used.Before(files[j].used) })
	now, left := time.Now(), res.Bytes
	for _, f := range files {
		if left <= max {
			break
		}
		if now.Sub(f.used) < localInUse {
			continue
		}
		if err := os.Remove(f.path); err == nil {
			left -= f.size
			res.Removed++
			res.Freed += f.size
		}
	}
	return res, nil
}
