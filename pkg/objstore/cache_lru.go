package objstore

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.uber.org/zap"
)

// The entries' bookkeeping: recency order, sizes, leases, eviction (the *Locked functions
// run with c.mu held).

// Forget removes the cached files of keys under prefix (a deleted project's, say) and
// returns how many went; leased files stay until their next eviction.
func (c *Cache) Forget(prefix string) int {
	if prefix == "" || checkPrefix(prefix) != nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for key, it := range c.items {
		if !strings.HasPrefix(key, prefix) || it.pins > 0 {
			continue
		}
		if err := os.Remove(filepath.Join(c.dir, filepath.FromSlash(key))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			c.log.Warn("cache: forget", zap.String("key", key), zap.Error(err))
			continue
		}
		c.dropLocked(it)
		n++
	}
	return n
}

func (c *Cache) unpin(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if it, ok := c.items[key]; ok && it.pins > 0 {
		it.pins--
		c.evictLocked("")
	}
}

// insertLocked makes key the most recent entry, of size bytes.
func (c *Cache) insertLocked(key string, size int64) {
	if it, ok := c.items[key]; ok {
		c.size += size - it.size
		it.size = size
		c.lru.MoveToFront(it.el)
		return
	}
	it := &cacheItem{key: key, size: size}
	it.el = c.lru.PushFront(it)
	c.items[key] = it
	c.size += size
}

func (c *Cache) dropLocked(it *cacheItem) {
	c.lru.Remove(it.el)
	delete(c.items, it.key)
	c.size -= it.size
}

// evictLocked removes least recently used entries until the cache fits, skipping leased
// ones and keep (the entry just added, which its caller is about to use).
func (c *Cache) evictLocked(keep string) {
	for el := c.lru.Back(); el != nil && c.size > c.max; {
		it := el.Value.(*cacheItem)
		el = el.Prev()
		if it.pins > 0 || it.key == keep {
			continue
		}
		path := filepath.Join(c.dir, filepath.FromSlash(it.key))
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			c.log.Warn("cache: evict", zap.String("key", it.key), zap.Error(err))
			continue
		}
		c.dropLocked(it)
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
