package service

import (
	"context"
	"io/fs"
	"path/filepath"

	"github.com/simvid/simvid/pkg/simvid"
)

// Storage is where the data directory's bytes go, as the admin's storage page shows it.
type Storage struct {
	ByKind       map[string]simvid.KindUsage // the files the database knows, by kind
	ProjectsDisk int64                       // bytes under projects/ on disk
	CacheBytes   int64                       // the render cache
	TmpBytes     int64                       // temporary files
	FreeBytes    uint64                      // free on the data directory's disk; 0 when unknown
}

// Storage counts the stored files by kind from the database and by folder on disk.
func (s *Service) Storage(ctx context.Context) (Storage, error) {
	usage, err := s.store.Usage(ctx)
	if err != nil {
		return Storage{}, err
	}
	free, _ := s.files.Free()
	return Storage{
		ByKind:       usage,
		ProjectsDisk: dirSize(filepath.Join(s.files.Root(), "projects")),
		CacheBytes:   dirSize(s.files.CacheDir()),
		TmpBytes:     dirSize(s.files.TmpDir()),
		FreeBytes:    free,
	}, nil
}

// DiskFree returns the free bytes on the data directory's disk.
func (s *Service) DiskFree() (uint64, error) { return s.files.Free() }

// ProjectBytes returns the bytes a project's files take on disk; 0 for an unknown project.
func (s *Service) ProjectBytes(projectID string) int64 {
	dir, err := s.files.ProjectDir(projectID)
	if err != nil {
		return 0
	}
	return dirSize(dir)
}

// dirSize is the bytes of every file under dir; 0 when it does not exist.
func dirSize(dir string) int64 {
	var n int64
	if dir == "" {
		return 0
	}
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
