package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Remote is the object store behind Files when hosts share no disk (storage.url): the subset
// of an S3 bucket Files needs. pkg/app adapts pkg/objstore's Bucket to it, so this package
// knows nothing of S3. Keys are paths relative to the data directory with forward slashes
// ("projects/<pid>/thumbs/<aid>.jpg", "cache/segments/<key>.mp4"): only ids and content keys,
// never text a user typed.
type Remote interface {
	// PutFile uploads the finished local file at path as key, replacing what was there.
	PutFile(ctx context.Context, key, path string) error
	// PutFileOnce uploads path as key unless key exists: content-addressed objects are
	// written once and never overwritten.
	PutFileOnce(ctx context.Context, key, path string) error
	// Get downloads key into the file dst (created or replaced). A missing key is an error
	// for which errors.Is(err, fs.ErrNotExist) holds.
	Get(ctx context.Context, key, dst string) error
	// Exists reports whether key is stored.
	Exists(ctx context.Context, key string) (bool, error)
	// Delete removes key; a missing key is no error.
	Delete(ctx context.Context, key string) error
	// DeletePrefix removes every key under prefix and returns the bytes they held.
	DeletePrefix(ctx context.Context, prefix string) (int64, error)
	// List calls fn for every object under prefix; an error from fn stops the listing.
	List(ctx context.Context, prefix string, fn func(Object) error) error
	// Open reads key from the store anywhere in it (each seek a ranged request), so that an
	// answer can stream it with Range requests and no local copy.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, Object, error)
	// Link returns a link that lets whoever holds it fetch key directly from the store until
	// ttl has passed, saving it as downloadName. The object stays private.
	Link(ctx context.Context, key string, ttl time.Duration, downloadName string) (string, error)
}

// Object is one stored object, as List reports it.
type Object struct {
	Key      string
	Size     int64
	Modified time.Time
}

// remoteDeleteTimeout bounds a delete in the store. Deletes run on a context of their own:
// the files of a project that is deleted go whether or not its client stays to hear it.
const remoteDeleteTimeout = time.Minute

// NewRemoteFiles is NewFiles over an object store: every file that outlives a job (the paths
// of projects/ and cache/) is uploaded when committed and fetched when a reader on a host
// without it asks for it (Local). The data directory is then scratch space, its copies a
// cache trimmed to localBytes (0: not trimmed), least recently used first.
func NewRemoteFiles(dataDir string, r Remote, localBytes int64) (*Files, error) {
	s, err := NewFiles(dataDir)
	if err != nil {
		return nil, err
	}
	s.remote, s.localBytes = r, localBytes
	return s, nil
}

// Shared reports whether Files stands on an object store.
func (s *Files) Shared() bool { return s.remote != nil }

// Key returns path's object key: the path relative to the data directory, which must be a
// file under projects/ or cache/.
func (s *Files) Key(path string) (string, error) {
	rel, err := filepath.Rel(s.root, path)
	if err != nil {
		return "", fmt.Errorf("media: key of %q: %w", path, err)
	}
	key := filepath.ToSlash(rel)
	if !strings.HasPrefix(key, "projects/") && !strings.HasPrefix(key, "cache/") || strings.Contains(key, "../") {
		return "", fmt.Errorf("media: %q is not a stored file", path)
	}
	return key, nil
}

// once reports whether path is a content-addressed cache entry: written once, never replaced.
func (s *Files) once(key string) bool { return strings.HasPrefix(key, "cache/") }

// upload puts the local file path in the store under its key (once for cache entries).
func (s *Files) upload(ctx context.Context, path string) error {
	key, err := s.Key(path)
	if err != nil {
		return err
	}
	if s.once(key) {
		err = s.remote.PutFileOnce(ctx, key, path)
	} else {
		err = s.remote.PutFile(ctx, key, path)
	}
	if err != nil {
		return fmt.Errorf("media: store %s: %w", key, err)
	}
	s.maybeTrim()
	return nil
}

// Upload puts a file already in place (a render's output, written by the engine) in the
// store. Without a store it does nothing: the data directory is the store.
func (s *Files) Upload(ctx context.Context, path string) error {
	if s.remote == nil {
		return nil
	}
	return s.upload(ctx, path)
}

// DropLocal removes the local copy of a stored file that this host will not read again (a
// render's output on a worker). Without a store the local file is the only one: it stays.
func (s *Files) DropLocal(path string) {
	if s.remote == nil {
		return
	}
	if _, err := s.Key(path); err == nil {
		_ = os.Remove(path)
	}
}

// Local returns path (a path from the path methods, or a cache entry) as a local file that
// a tool can read, fetching it from the store into the data directory when this host has no
// copy. A file the store does not hold either is an error for which
// errors.Is(err, fs.ErrNotExist) holds. Without a store it returns path unchecked.
func (s *Files) Local(ctx context.Context, path string) (string, error) {
	if s.remote == nil {
		return path, nil
	}
	found, err := s.Fetch(ctx, path)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("media: %s: %w", filepath.Base(path), fs.ErrNotExist)
	}
	return path, nil
}

// Fetch makes sure path is here, downloading it from the store when it is not; found is false
// when neither has it. A local hit marks the file used (the trim removes the least recently
// used). Concurrent fetches of one file share one download.
func (s *Files) Fetch(ctx context.Context, path string) (found bool, err error) {
	if _, err := os.Stat(path); err == nil {
		now := time.Now()
		_ = os.Chtimes(path, now, now)
		return true, nil
	}
	key, err := s.storeKey(path)
	if err != nil || key == "" {
		return false, err
	}
	v, err, _ := s.fetches.Do(key, func() (any, error) { return s.download(ctx, key, path) })
	if err != nil {
		return false, err
	}
	return v.(bool), nil
}

// download gets key into a temp file and renames it to path: a reader sees a whole file or
// none.
func (s *Files) download(ctx context.Context, key, path string) (bool, error) {
	if _, err := os.Stat(path); err == nil {
		return true, nil // another download finished meanwhile
	}
	tmp, err := s.tempPath("fetch-*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp)
	if err := s.remote.Get(ctx, key, tmp); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, fmt.Errorf("media: fetch %s: %w", key, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return false, fmt.Errorf("media: fetch %s: %w", key, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return false, fmt.Errorf("media: fetch %s: %w", key, err)
	}
	s.maybeTrim()
	return true, nil
}

// Stored reports whether path is here or in the store, without downloading it.
func (s *Files) Stored(ctx context.Context, path string) (bool, error) {
	if _, err := os.Stat(path); err == nil {
		return true, nil
	}
	key, err := s.storeKey(path)
	if err != nil || key == "" {
		return false, err
	}
	ok, err := s.remote.Exists(ctx, key)
	if err != nil {
		return false, fmt.Errorf("media: look up %s: %w", key, err)
	}
	return ok, nil
}

// PublishOnce puts a content-addressed cache entry, written in place by the engine, in the
// store unless it is there already.
func (s *Files) PublishOnce(ctx context.Context, path string) error {
	if s.remote == nil {
		return nil
	}
	return s.upload(ctx, path)
}

// removeRemote deletes keys from the store (no store: nothing to do).
func (s *Files) removeRemote(keys ...string) error {
	if s.remote == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), remoteDeleteTimeout)
	defer cancel()
	var errs []error
	for _, k := range keys {
		if err := s.remote.Delete(ctx, k); err != nil {
			errs = append(errs, fmt.Errorf("media: delete %s: %w", k, err))
		}
	}
	return errors.Join(errs...)
}

// Link returns a short-lived link for a client to fetch path straight from the store, or ""
// when Files has no store (the file is served from this host's disk).
func (s *Files) Link(ctx context.Context, path string, ttl time.Duration, downloadName string) (string, error) {
	key, err := s.storeKey(path)
	if err != nil || key == "" {
		return "", err
	}
	return s.remote.Link(ctx, key, ttl, downloadName)
}

// storeKey returns path's object key, or "" when Files has no store.
func (s *Files) storeKey(path string) (string, error) {
	if s.remote == nil {
		return "", nil
	}
	return s.Key(path)
}

// OpenStored opens path for reading: the local copy when this host has one, else a stream
// from the store that seeks with ranged requests (nothing is written to this host's disk).
// A file that is in neither is an error for which errors.Is(err, fs.ErrNotExist) holds.
func (s *Files) OpenStored(ctx context.Context, path string) (io.ReadSeekCloser, Object, error) {
	f, openErr := os.Open(path)
	if openErr == nil {
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, Object{}, err
		}
		return f, Object{Key: path, Size: st.Size(), Modified: st.ModTime()}, nil
	}
	key, err := s.storeKey(path)
	if err != nil || key == "" {
		return nil, Object{}, errors.Join(openErr, err)
	}
	return s.remote.Open(ctx, key)
}
