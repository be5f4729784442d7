package objstore

import (
	"container/list"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/singleflight"
)

// Getter downloads key's object to a local path, whole or not at all (Bucket.Get does).
type Getter interface {
	Get(ctx context.Context, key, dstPath string) error
}

// Cache is a host's bounded local copy of objects ffmpeg must read from disk: a directory
// holding at most maxBytes (beyond that only while entries are in use), evicting the least
// recently used first. The order lives in memory and, across restarts, in the files'
// modification times. A key maps to dir/key, so keys pass CheckKey first.
type Cache struct {
	dir string
	max int64
	src Getter
	log *zap.Logger

	mu     sync.Mutex
	items  map[string]*cacheItem
	lru    *list.List // of *cacheItem, most recent at the front
	size   int64
	flight singleflight.Group
}

type cacheItem struct {
	key  string
	size int64
	pins int
	el   *list.Element
}

// Lease keeps a cached file on disk until Release: the cache never evicts a leased file.
type Lease struct {
	Path string
	once sync.Once
	c    *Cache
	key  string
}

// Release lets the file go; calling it again does nothing.
func (l *Lease) Release() {
	l.once.Do(func() { l.c.unpin(l.key) })
}

// tempMarker is in the names of files being written (Bucket.Get's and Add's): never
// entries, and removed at start because a crash left them.
const tempMarker = ".part-"

// NewCache opens the cache in dir (made if missing), takes what is already there as
// entries, oldest modification first, and evicts down to maxBytes.
func NewCache(dir string, maxBytes int64, src Getter, log *zap.Logger) (*Cache, error) {
	if maxBytes <= 0 {
		return nil, fmt.Errorf("objstore: cache size %d must be positive", maxBytes)
	}
	if log == nil {
		log = zap.NewNop()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("objstore: cache directory: %w", err)
	}
	c := &Cache{dir: dir, max: maxBytes, src: src, log: log, items: map[string]*cacheItem{}, lru: list.New()}
	type found struct {
		key  string
		size int64
		mod  time.Time
	}
	var all []found
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.Contains(d.Name(), tempMarker) {
			os.Remove(path)
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		key := filepath.ToSlash(rel)
		fi, err := d.Info()
		if err != nil || !d.Type().IsRegular() || CheckKey(key) != nil {
			return nil // gone meanwhile, or not ours: left alone and not counted
		}
		all = append(all, found{key, fi.Size(), fi.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("objstore: read cache directory: %w", err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].mod.Before(all[j].mod) })
	for _, f := range all {
		c.insertLocked(f.key, f.size)
	}
	c.evictLocked("")
	return c, nil
}

// Size is the bytes the cache holds now.
func (c *Cache) Size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

// Path is where key's file lives in the cache (whether or not it is there now).
func (c *Cache) Path(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", fmt.Errorf("objstore: cache key %q: %w", key, err)
	}
	return filepath.Join(c.dir, filepath.FromSlash(key)), nil
}

// Get returns the local path of key's file, downloading it on a miss (once, however many
// callers ask at the same time). The file may be evicted later: a caller that hands the
// path to a process should hold a Lease from Acquire instead.
func (c *Cache) Get(ctx context.Context, key string) (string, error) {
	return c.ensure(ctx, key, false)
}

// Acquire is Get that also keeps the file until the lease is released.
func (c *Cache) Acquire(ctx context.Context, key string) (*Lease, error) {
	p, err := c.ensure(ctx, key, true)
	if err != nil {
		return nil, err
	}
	return &Lease{Path: p, c: c, key: key}, nil
}

// Add takes a file written on this host (a rendered segment, say) as key's entry, so
// reading it back needs no download. src is left in place: the cache holds a hard link, or
// a copy when src is on another filesystem.
func (c *Cache) Add(key, src string) error {
	dst, err := c.Path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("objstore: cache add %s: %w", key, err)
	}
	var r [6]byte
	_, _ = rand.Read(r[:])
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+tempMarker+hex.EncodeToString(r[:]))
	if err := os.Link(src, tmp); err != nil {
		if err := copyFile(src, tmp); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("objstore: cache add %s: %w", key, err)
		}
	}
	fi, err := os.Stat(tmp)
	if err == nil {
		now := time.Now()
		_ = os.Chtimes(tmp, now, now) // a link shares src's times: this entry is new
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("objstore: cache add %s: %w", key, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.insertLocked(key, fi.Size())
	c.evictLocked(key)
	return nil
}

// ensure makes key's file present and returns its path, pinned when pin is set.
func (c *Cache) ensure(ctx context.Context, key string, pin bool) (string, error) {
	path, err := c.Path(key)
	if err != nil {
		return "", err
	}
	// A download can be evicted by others' before this caller pins it, or fail because the
	// caller that started it gave up: try again a few times before saying so.
	for range 3 {
		if c.hit(key, path, pin) {
			return path, nil
		}
		_, err, _ = c.flight.Do(key, func() (any, error) { return nil, c.fetch(ctx, key, path) })
		if err != nil && (ctx.Err() != nil || !errors.Is(err, context.Canceled)) {
			return "", err
		}
	}
	if c.hit(key, path, pin) {
		return path, nil
	}
	return "", fmt.Errorf("objstore: cache: %s was evicted as soon as it was fetched (cache of %d bytes too small)", key, c.max)
}

// hit pins or touches key's entry when its file is there; an entry whose file vanished
// (the directory was cleaned under us) is dropped so it is fetched again.
func (c *Cache) hit(key, path string, pin bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[key]
	if !ok {
		return false
	}
	if _, err := os.Stat(path); err != nil {
		c.dropLocked(it)
		return false
	}
	if pin {
		it.pins++
	}
	c.lru.MoveToFront(it.el)
	now := time.Now()
	_ = os.Chtimes(path, now, now) // keeps the order for the next start
	return true
}

func (c *Cache) fetch(ctx context.Context, key, path string) error {
	if c.src == nil {
		return fmt.Errorf("objstore: cache: %s is not cached and the cache has no store: %w", key, ErrNotFound)
	}
	if err := c.src.Get(ctx, key, path); err != nil {
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("objstore: cache: %s vanished after download: %w", key, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.insertLocked(key, fi.Size())
	c.evictLocked(key)
	return nil
}
