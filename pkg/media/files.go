package media

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// TempMaxAge is the age past which a temp file is stale: no intake or render step holds one
// that long, so the periodic cleanup may call SweepTemp(TempMaxAge).
const TempMaxAge = time.Hour

// CreateTemp creates a new file in tmp/ (pattern as for os.CreateTemp: "thumb-*.jpg").
func (s *Files) CreateTemp(pattern string) (*os.File, error) {
	f, err := os.CreateTemp(s.TmpDir(), pattern)
	if err != nil {
		return nil, fmt.Errorf("media: create temp: %w", err)
	}
	return f, nil
}

// MkdirTemp creates a new directory in tmp/, for work that needs several scratch files.
func (s *Files) MkdirTemp(pattern string) (string, error) {
	d, err := os.MkdirTemp(s.TmpDir(), pattern)
	if err != nil {
		return "", fmt.Errorf("media: create temp dir: %w", err)
	}
	return d, nil
}

// tempPath reserves a temp file name for a tool (ffmpeg) to write; the caller removes it.
func (s *Files) tempPath(pattern string) (string, error) {
	f, err := s.CreateTemp(pattern)
	if err != nil {
		return "", err
	}
	name := f.Name()
	if err := f.Close(); err != nil {
		_ = os.Remove(name)
		return "", fmt.Errorf("media: close temp: %w", err)
	}
	return name, nil
}

// Commit moves a finished temp file to dst (a path from one of the path methods), replacing
// what was there, atomically and durably: the data is synced before the rename and the
// directory after it. Over a store it then uploads dst (a cache/ entry only when the store
// has none): the object appears only when whole, and when the upload fails dst is removed
// again, so that no host holds a file the others cannot get. On success tmp no longer exists.
func (s *Files) Commit(ctx context.Context, tmp, dst string) error {
	if err := s.commitLocal(tmp, dst); err != nil {
		return err
	}
	if s.remote == nil {
		return nil
	}
	if err := s.upload(ctx, dst); err != nil {
		_ = os.Remove(dst)
		return err
	}
	return nil
}

// Uncommit removes a committed file here and in the store: the undo of an intake whose
// later step failed.
func (s *Files) Uncommit(dst string) {
	_ = os.Remove(dst)
	if key, err := s.Key(dst); err == nil && !s.once(key) {
		_ = s.removeRemote(key)
	}
}

func (s *Files) commitLocal(tmp, dst string) error {
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("media: commit: %w", err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("media: commit sync: %w", err)
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("media: commit: %w", err)
	}
	if err := os.Chmod(tmp, 0o640); err != nil {
		return fmt.Errorf("media: commit: %w", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("media: commit: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: the rename is done either way
		_ = d.Close()
	}
	return nil
}

// SweepTemp removes entries of tmp/ last modified more than olderThan ago: leftovers of
// a crashed process. Live work keeps its files younger than TempMaxAge.
func (s *Files) SweepTemp(olderThan time.Duration) error {
	entries, err := os.ReadDir(s.TmpDir())
	if err != nil {
		return fmt.Errorf("media: sweep temp: %w", err)
	}
	cutoff := time.Now().Add(-olderThan)
	var errs []error
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(cutoff) {
			continue // vanished meanwhile, or still fresh
		}
		if err := os.RemoveAll(filepath.Join(s.TmpDir(), e.Name())); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("media: sweep temp: %w", err)
	}
	return nil
}

// DeleteProject removes every file of a project and reports the bytes it held. A project
// without files frees 0 bytes and is no error.
func (s *Files) DeleteProject(projectID string) (int64, error) {
	dir, err := s.ProjectDir(projectID)
	if err != nil {
		return 0, err
	}
	var freed int64
	err = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				freed += info.Size()
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("media: delete project %s: %w", projectID, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return 0, fmt.Errorf("media: delete project %s: %w", projectID, err)
	}
	if s.remote != nil {
		// The store holds every file of the project; the local copies are a part of them.
		ctx, cancel := context.WithTimeout(context.Background(), remoteDeleteTimeout)
		defer cancel()
		n, err := s.remote.DeletePrefix(ctx, "projects/"+projectID+"/")
		if err != nil {
			return 0, fmt.Errorf("media: delete project %s: %w", projectID, err)
		}
		freed = n
	}
	return freed, nil
}

// DeleteAsset removes an asset's original, thumbnail and audio working copy; missing files
// are no error.
func (s *Files) DeleteAsset(projectID, assetID string) error {
	paths := make([]string, 0, 4)
	orig, err := s.Original(projectID, assetID)
	if err != nil {
		return err
	}
	paths = append(paths, orig)
	if p, err := s.Thumbnail(projectID, assetID); err == nil {
		paths = append(paths, p)
	}
	if p, err := s.AudioWork(projectID, assetID); err == nil {
		paths = append(paths, p)
	}
	if p, err := s.Filmstrip(projectID, assetID); err == nil {
		paths = append(paths, p)
	}
	var errs []error
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
		if key, err := s.Key(p); err == nil {
			errs = append(errs, s.removeRemote(key))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("media: delete asset %s: %w", assetID, err)
	}
	return nil
}

// Free returns the bytes available to this process on the data directory's file system.
func (s *Files) Free() (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(s.root, &st); err != nil {
		return 0, fmt.Errorf("media: statfs: %w", err)
	}
	return st.Bavail * uint64(st.Bsize), nil
}
