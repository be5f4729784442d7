package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"go.uber.org/zap"
)

// Backup file names, by dialect, inside a backup directory.
const (
	BackupFileSQLite   = "simvid.db"
	BackupFilePostgres = "simvid.pgdump"
)

// BackupDatabase writes a consistent copy of the database into dir while simvid keeps
// running, and returns the file's name inside dir: SQLite is copied with VACUUM INTO (a
// transactionally consistent snapshot, never a cp of a live file), PostgreSQL with
// pg_dump --format=custom.
func BackupDatabase(ctx context.Context, databaseURL, dataDir, dir string) (string, error) {
	t, err := parseURL(databaseURL, dataDir)
	if err != nil {
		return "", err
	}
	switch t.dialect {
	case DialectSQLite:
		dst := filepath.Join(dir, BackupFileSQLite)
		st, err := Open(ctx, databaseURL, dataDir, zap.NewNop())
		if err != nil {
			return "", err
		}
		defer st.Close()
		if _, err := st.(*sqlStore).w.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
			return "", fmt.Errorf("store: backup %s: %w", t.display, err)
		}
		return BackupFileSQLite, nil
	default:
		dst := filepath.Join(dir, BackupFilePostgres)
		if err := runPGTool(ctx, "pg_dump", "--format=custom", "--no-owner", "--file="+dst, "--dbname="+t.pgURL); err != nil {
			return "", err
		}
		return BackupFilePostgres, nil
	}
}

// RestoreDatabase puts a copy made by BackupDatabase back as the database named by
// databaseURL, then migrates it to this release's schema. simvid must be stopped. It
// refuses to replace a database that already holds projects unless force is set.
func RestoreDatabase(ctx context.Context, databaseURL, dataDir, file string, force bool) error {
	t, err := parseURL(databaseURL, dataDir)
	if err != nil {
		return err
	}
	want := BackupFileSQLite
	if t.dialect == DialectPostgres {
		want = BackupFilePostgres
	}
	if filepath.Base(file) != want {
		return fmt.Errorf("store: %s is a backup of another kind of database; the configured database is %s and needs %s",
			filepath.Base(file), t.dialect, want)
	}
	if !force {
		if n, err := countExisting(ctx, t, databaseURL, dataDir); err != nil {
			return err
		} else if n > 0 {
			return fmt.Errorf("store: %s already holds %d project(s); restoring would replace them (stop simvid and pass --force)", t.display, n)
		}
	}
	if t.dialect == DialectSQLite {
		if err := replaceSQLite(file, t.display); err != nil {
			return err
		}
	} else if err := runPGTool(ctx, "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
		"--dbname="+t.pgURL, file); err != nil {
		return err
	}
	st, err := Open(ctx, databaseURL, dataDir, zap.NewNop()) // migrates an older backup forward
	if err != nil {
		return fmt.Errorf("store: the restored database does not open: %w", err)
	}
	return st.Close()
}

// countExisting counts the projects of the target database; a missing SQLite file holds none.
func countExisting(ctx context.Context, t target, databaseURL, dataDir string) (int, error) {
	if t.dialect == DialectSQLite {
		if _, err := os.Stat(t.display); errors.Is(err, os.ErrNotExist) {
			return 0, nil
		}
	}
	st, err := Open(ctx, databaseURL, dataDir, zap.NewNop())
	if err != nil {
		return 0, err
	}
	defer st.Close()
	return st.CountProjects(ctx)
}

// replaceSQLite copies src next to dst and renames it into place, dropping dst's WAL files
// so that no stale log is replayed over the restored copy.
func replaceSQLite(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".restore-*")
	if err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return fmt.Errorf("store: restore: %w", err)
	}
	if err := errors.Join(tmp.Sync(), tmp.Close()); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dst + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("store: restore: %w", err)
		}
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	return nil
}

// runPGTool runs pg_dump or pg_restore (from PATH, else the newest Debian install) and turns
// a failure into its first lines of stderr, with any password in the URL left out.
func runPGTool(ctx context.Context, name string, args ...string) error {
	bin, err := pgTool(name)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if len(msg) > 600 {
			msg = msg[:600]
		}
		return fmt.Errorf("store: %s failed: %v: %s", name, err, msg)
	}
	return nil
}

func pgTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	found, _ := filepath.Glob(filepath.Join("/usr/lib/postgresql", "*", "bin", name))
	if len(found) == 0 {
		return "", fmt.Errorf("store: %s not found: install PostgreSQL's client tools (apt-get install postgresql-client)", name)
	}
	sort.Slice(found, func(i, j int) bool { return pgMajor(found[i]) > pgMajor(found[j]) })
	return found[0], nil
}

// pgMajor reads the major version out of /usr/lib/postgresql/<major>/bin/<tool>.
func pgMajor(path string) int {
	var n int
	fmt.Sscanf(filepath.Base(filepath.Dir(filepath.Dir(path))), "%d", &n)
	return n
}
