// Package backup copies what simvid cannot rebuild, the metadata database and the project
// files under the data directory, into a backup directory, and puts such a copy back.
//
// The database is copied first and the files after it, so every row of the copy finds its
// file (a project made in between leaves only unreferenced files, which retention removes).
// Redis is not backed up: queues are rebuilt from the database by the reconciler. cache/
// and tmp/ are derived and left out.
package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/store"
)

// FormatVersion is written into every manifest; Restore refuses other versions.
const FormatVersion = 1

const (
	manifestName = "manifest.json"
	filesDir     = "projects" // inside the backup directory: a copy of <data>/projects
)

// Manifest describes one backup.
type Manifest struct {
	Format        int       `json:"format"`
	SimvidVersion string    `json:"simvid_version"`
	CreatedAt     time.Time `json:"created_at"`
	Dialect       string    `json:"dialect"`
	DatabaseFile  string    `json:"database_file"`
	Files         int       `json:"files"`
	Bytes         int64     `json:"bytes"`
}

// Options name the database and data directory (as in the configuration).
type Options struct {
	DatabaseURL string
	DataDir     string
	Version     string // simvid's version, recorded in the manifest
	// Remote is the object store the project files live in when storage.url is set; the
	// backup then copies them from there, and a restore puts them back there. nil: the data
	// directory holds them.
	Remote media.Remote
}

// projectsKey is the object store's prefix of the project files (the data directory's
// projects/); the cache/ beside it is derived and left out, as on disk.
const projectsKey = "projects/"

// Create writes a backup into dir, which must not exist yet or be empty.
func Create(ctx context.Context, o Options, dir string) (*Manifest, error) {
	if err := emptyDir(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	ms, err := media.NewFiles(o.DataDir)
	if err != nil {
		return nil, err
	}
	dbFile, err := store.BackupDatabase(ctx, o.DatabaseURL, o.DataDir, dir)
	if err != nil {
		return nil, err
	}
	m := &Manifest{Format: FormatVersion, SimvidVersion: o.Version, CreatedAt: time.Now().UTC(), DatabaseFile: dbFile,
		Dialect: store.DialectSQLite}
	if dbFile == store.BackupFilePostgres {
		m.Dialect = store.DialectPostgres
	}
	if o.Remote != nil {
		m.Files, m.Bytes, err = download(ctx, o.Remote, filepath.Join(dir, filesDir))
	} else {
		m.Files, m.Bytes, err = copyTree(ctx, filepath.Join(ms.Root(), "projects"), filepath.Join(dir, filesDir))
	}
	if err != nil {
		return nil, err
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, manifestName), append(b, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("backup: write manifest: %w", err)
	}
	return m, nil
}

// Restore puts the backup in dir back: the database first, then the project files. simvid
// must be stopped. Without force it refuses a database that already holds projects or a
// data directory that already holds project files.
func Restore(ctx context.Context, o Options, dir string, force bool) (*Manifest, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	ms, err := media.NewFiles(o.DataDir)
	if err != nil {
		return nil, err
	}
	projects := filepath.Join(ms.Root(), "projects")
	if !force {
		if err := emptyDir(projects); err != nil {
			return nil, fmt.Errorf("%w (pass --force to restore over it)", err)
		}
		if o.Remote != nil {
			if err := emptyPrefix(ctx, o.Remote); err != nil {
				return nil, err
			}
		}
	}
	if err := store.RestoreDatabase(ctx, o.DatabaseURL, o.DataDir, filepath.Join(dir, m.DatabaseFile), force); err != nil {
		return nil, err
	}
	if force {
		if err := os.RemoveAll(projects); err != nil {
			return nil, fmt.Errorf("backup: clear %s: %w", projects, err)
		}
		if o.Remote != nil {
			if _, err := o.Remote.DeletePrefix(ctx, projectsKey); err != nil {
				return nil, fmt.Errorf("backup: clear the object store's project files: %w", err)
			}
		}
	}
	if o.Remote != nil {
		return m, upload(ctx, o.Remote, filepath.Join(dir, filesDir))
	}
	if _, _, err := copyTree(ctx, filepath.Join(dir, filesDir), projects); err != nil {
		return nil, err
	}
	return m, nil
}

// download copies every project file of the object store into dst, keeping the data
// directory's layout, so that a backup reads the same whichever held the files.
func download(ctx context.Context, r media.Remote, dst string) (files int, bytes int64, err error) {
	if err := os.MkdirAll(dst, 0o750); err != nil {
		return 0, 0, fmt.Errorf("backup: %w", err)
	}
	err = r.List(ctx, projectsKey, func(o media.Object) error {
		rel := strings.TrimPrefix(o.Key, projectsKey)
		if !fs.ValidPath(rel) { // keys are ids; anything else is not simvid's to copy
			return nil
		}
		target := filepath.Join(dst, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
			return err
		}
		if err := r.Get(ctx, o.Key, target); err != nil {
			return err
		}
		files, bytes = files+1, bytes+o.Size
		return nil
	})
	if err != nil {
		return files, bytes, fmt.Errorf("backup: copy the object store's project files: %w", err)
	}
	return files, bytes, nil
}

// upload puts every file of a backup's project tree back into the object store.
func upload(ctx context.Context, r media.Remote, src string) error {
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		return r.PutFile(ctx, projectsKey+filepath.ToSlash(rel), path)
	})
	if err != nil {
		return fmt.Errorf("backup: put the project files back into the object store: %w", err)
	}
	return nil
}

// emptyPrefix refuses an object store that already holds project files.
func emptyPrefix(ctx context.Context, r media.Remote) error {
	errFound := errors.New("found")
	err := r.List(ctx, projectsKey, func(media.Object) error { return errFound })
	if errors.Is(err, errFound) {
		return errors.New("backup: the object store already holds project files (pass --force to restore over them)")
	}
	return err
}

// ReadManifest reads and checks a backup directory's manifest.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return nil, fmt.Errorf("backup: %s is not a simvid backup (no %s): %w", dir, manifestName, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("backup: %s: %w", manifestName, err)
	}
	if m.Format != FormatVersion {
		return nil, fmt.Errorf("backup: format %d is not supported by this release (it reads format %d)", m.Format, FormatVersion)
	}
	if m.DatabaseFile != store.BackupFileSQLite && m.DatabaseFile != store.BackupFilePostgres {
		return nil, fmt.Errorf("backup: manifest names an unknown database file %q", m.DatabaseFile)
	}
	return &m, nil
}

// emptyDir accepts a directory that does not exist or holds nothing.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("backup: %s is not empty", dir)
	}
	return nil
}

// copyTree copies the regular files under src to the same relative paths under dst and
// returns how many files and bytes it copied. A missing src copies nothing. Symbolic links
// and other special files are skipped: simvid never makes them.
func copyTree(ctx context.Context, src, dst string) (files int, bytes int64, err error) {
	if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
		return 0, 0, os.MkdirAll(dst, 0o750)
	}
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o750)
		case !d.Type().IsRegular():
			return nil
		}
		n, err := copyFile(path, target)
		files, bytes = files+1, bytes+n
		return err
	})
	if err != nil {
		return files, bytes, fmt.Errorf("backup: copy %s: %w", src, err)
	}
	return files, bytes, nil
}

func copyFile(src, dst string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o640)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, in)
	if err := errors.Join(err, out.Sync(), out.Close()); err != nil {
		return n, err
	}
	return n, nil
}
