// Package diskcache bounds a directory tree used as a cache: least recently used files go
// first. A file's modification time is its last use (a cache hit touches it). The engine's
// content-addressed cache and, over an object store, a host's local copies both use it.
package diskcache

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Entry is one cached file.
type Entry struct {
	Path string
	Size int64
	Used time.Time
}

// Result says what Trim found and did.
type Result struct {
	Files, Removed int
	Bytes, Freed   int64
}

// Trim walks the trees under roots (a missing one is empty) and, when their files add up to
// more than max bytes, removes the least recently used until they fit, never one that spare
// reports as needed. Files and folders whose name starts with a dot are writes in progress
// (a folder: the files of a run of segments, renamed into the cache one by one): not
// counted, and removed once older than stale (a folder: its newest file; never, when
// stale <= 0). max <= 0 only sweeps those.
func Trim(roots []string, max int64, stale time.Duration, spare func(Entry) bool) (Result, error) {
	var files []Entry
	var res Result
	now := time.Now()
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != root && strings.HasPrefix(d.Name(), ".") {
					if stale > 0 && now.Sub(newest(path)) > stale {
						_ = os.RemoveAll(path) // left by a process that crashed
					}
					return filepath.SkipDir
				}
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				return nil // gone meanwhile
			}
			if strings.HasPrefix(d.Name(), ".") {
				if stale > 0 && now.Sub(fi.ModTime()) > stale {
					_ = os.Remove(path)
				}
				return nil
			}
			files = append(files, Entry{path, fi.Size(), fi.ModTime()})
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
	sort.Slice(files, func(i, j int) bool { return files[i].Used.Before(files[j].Used) })
	left := res.Bytes
	for _, f := range files {
		if left <= max {
			break
		}
		if spare != nil && spare(f) {
			continue
		}
		if err := os.Remove(f.Path); err == nil {
			left -= f.Size
			res.Removed++
			res.Freed += f.Size
		}
	}
	return res, nil
}

// newest is the latest modification time of dir and the files in it (the zero time when
// none can be read).
func newest(dir string) time.Time {
	var t time.Time
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if fi, err := d.Info(); err == nil && fi.ModTime().After(t) {
			t = fi.ModTime()
		}
		return nil
	})
	return t
}
