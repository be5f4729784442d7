package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"go.uber.org/zap"
)

// migrations holds one set of goose SQL files per dialect: the column types differ
// (TEXT times and JSON in SQLite, timestamptz and jsonb in PostgreSQL).
//
//go:embed migrations
var migrations embed.FS

// migrateLockID is the PostgreSQL advisory lock that keeps several processes starting at
// once (serve and workers) from running the migrations twice.
const migrateLockID = 0x73696d766964 // "simvid"

func (s *sqlStore) migrate(ctx context.Context) error {
	dir, err := fs.Sub(migrations, "migrations/"+s.dialect)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	dialect := goose.DialectSQLite3
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if s.dialect == DialectPostgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrateLockID))
		if err != nil {
			return fmt.Errorf("store: migrations: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.w, dir, opts...)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return wrapErr("migrate", err)
	}
	for _, r := range results {
		s.log.Info("database migrated", zap.Int64("version", r.Source.Version),
			zap.Duration("took", r.Duration))
	}
	return nil
}
