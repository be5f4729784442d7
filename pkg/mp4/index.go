package mp4

import (
	"fmt"
	"os"
	"slices"
	"sync"
	"syscall"
)

// Index keeps the sample tables of the segment files Join has read, so that joining a show
// again reads only what is new: after a one-picture edit of a 300-picture show, 3 of its 600
// segments, not 600 files opened and their tables parsed and allocated again. A file is
// known by its path, size, modification time and inode, so a file made again under the same
// name (a cache entry trimmed and encoded again, renamed into place) is read again. It keeps
// at most max files, the least recently joined going first. Safe for concurrent use.
type Index struct {
	mu    sync.Mutex
	max   int
	files map[string]*indexed
	tick  uint64
	reads int
}

type indexed struct {
	id     fileID
	tracks []*Track
	used   uint64
}

type fileID struct {
	size, mtime int64
	ino         uint64
}

// NewIndex returns an index of at most max files.
func NewIndex(max int) *Index {
	return &Index{max: max, files: map[string]*indexed{}}
}

// Reads is how many files the index has read (and not found in itself).
func (x *Index) Reads() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.reads
}

// Len is how many files the index holds.
func (x *Index) Len() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return len(x.files)
}

// tracks returns the tracks of path, from the index when the file is the one read before.
// The tracks are shared: callers must not change them.
func (x *Index) tracks(path string) ([]*Track, error) {
	if x == nil {
		return ReadFile(path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("mp4: %w", err)
	}
	id := fileID{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.ino = st.Ino
	}
	x.mu.Lock()
	x.tick++
	if e, ok := x.files[path]; ok && e.id == id {
		e.used = x.tick
		x.mu.Unlock()
		return e.tracks, nil
	}
	x.mu.Unlock()
	tracks, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.reads++
	x.files[path] = &indexed{id: id, tracks: tracks, used: x.tick}
	if len(x.files) > x.max {
		x.evict()
	}
	return tracks, nil
}

// evict drops the least recently used quarter of the files: a sort now and then (every
// max/4 files read) instead of a list kept in order on every use.
func (x *Index) evict() {
	used := make([]uint64, 0, len(x.files))
	for _, e := range x.files {
		used = append(used, e.used)
	}
	slices.Sort(used)
	cut := used[len(used)/4]
	for p, e := range x.files {
		if e.used <= cut {
			delete(x.files, p)
		}
	}
}
