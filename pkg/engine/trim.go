package engine

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Cache trimming keeps files touched within inUse (a render may be reading them) and removes
// abandoned temp files older than staleTemp.
const (
	inUse     = 2 * time.Minute
	staleTemp = time.Hour
)

// TrimResult says what TrimCache did.
type TrimResult struct {
	Files, Removed int
	Bytes, Freed   int64
}

// TrimCache brings the cache under max bytes, least recently used files first (a cache hit
// touches a file). It never removes a file whose key keep reports as needed, nor one used in
// the last minutes. max <= 0 only sweeps stale temp files.
func (e *Engine) TrimCache(max int64, keep func(key string) bool) (TrimResult, error) {
	type entry struct {
		path string
		size int64
		used time.Time
	}
	var files []entry
	var res TrimResult
	now := time.Now()
	for _, sub := range []string{"stills", "segments", "audio", "posters"} {
		err := filepath.WalkDir(filepath.Join(e.cache, sub), func(path string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil || d.IsDir() {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return nil // gone meanwhile
			}
			if strings.HasPrefix(d.Name(), ".") { // a temp file of a write in progress, or abandoned
				if now.Sub(fi.ModTime()) > staleTemp {
					_ = os.Remove(path)
				}
				return nil
			}
			files = append(files, entry{path, fi.Size(), fi.ModTime()})
			res.Bytes += fi.Size()
			return nil
		})
		if err != nil {
			return res, err
		}
	}
	res.Files = len(files)
	if max <= 0 || res.Bytes <= max {
		return res, nil
	}
	sort.Slice(files, func(i, j int) bool { return files[i].used.Before(files[j].used) })
	left := res.Bytes
	for _, f := range files {
		if left <= max {
			break
		}
		key := strings.TrimSuffix(filepath.Base(f.path), filepath.Ext(f.path))
		if now.Sub(f.used) < inUse || (keep != nil && keep(key)) {
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
