// Package store is the metadata database: projects, assets and renders kept in SQLite
// (modernc.org/sqlite, pure Go) or PostgreSQL (pgx), with embedded migrations run at Open.
package store

import (
	"context"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
	"go.uber.org/zap"
)

// Dialect names returned by Store.Dialect.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// Store is the metadata database. Not-found errors carry simvid.ENotFound; an unreachable
// database carries simvid.EUnavailable where it can be told; everything else is an internal
// error prefixed "store: ".
//
// The Update* methods run fn inside a serialised read-modify-write transaction: fn must not
// call the Store itself (on SQLite the single writer connection is held while fn runs).
type Store interface {
	Ping(ctx context.Context) error
	Close() error
	Dialect() string

	// CreateProject inserts p. The Create* methods set a zero CreatedAt (and UpdatedAt) to
	// now and normalise the struct's times to what is stored: UTC, whole microseconds.
	CreateProject(ctx context.Context, p *simvid.Project) error
	GetProject(ctx context.Context, id string) (*simvid.Project, error)
	// UpdateProject sets UpdatedAt to now. If fn returns an error nothing is written and
	// that error is returned unchanged. ID and CreatedAt cannot be changed by fn.
	UpdateProject(ctx context.Context, id string, fn func(p *simvid.Project) error) (*simvid.Project, error)
	// DeleteProject removes the project with its assets and renders.
	DeleteProject(ctx context.Context, id string) error
	// ListProjects returns projects most recently updated first.
	ListProjects(ctx context.Context, f simvid.ProjectFilter) ([]*simvid.Project, error)
	CountProjects(ctx context.Context) (int, error)

	// CreateAsset inserts a; its project must exist (else ENotFound).
	CreateAsset(ctx context.Context, a *simvid.Asset) error
	GetAsset(ctx context.Context, id string) (*simvid.Asset, error)
	UpdateAsset(ctx context.Context, id string, fn func(a *simvid.Asset) error) (*simvid.Asset, error)
	// ListAssets returns a project's assets of a kind ("" = all), oldest first.
	ListAssets(ctx context.Context, projectID, kind string) ([]*simvid.Asset, error)
	// ListUnfinishedAssets returns the assets of every project that are still being fetched
	// or processed, oldest first: the reconciler's work list.
	ListUnfinishedAssets(ctx context.Context) ([]*simvid.Asset, error)
	DeleteAsset(ctx context.Context, id string) error

	// CreateRender inserts r; its project must exist (else ENotFound).
	CreateRender(ctx context.Context, r *simvid.Render) error
	GetRender(ctx context.Context, id string) (*simvid.Render, error)
	// GetRenderStatus is GetRender for status answers: of the spec only Output is read (the
	// slides, music and titles stay zero), which spares decoding them on every poll.
	GetRenderStatus(ctx context.Context, id string) (*simvid.Render, error)
	// UpdateRender sets UpdatedAt to now; see UpdateProject.
	UpdateRender(ctx context.Context, id string, fn func(r *simvid.Render) error) (*simvid.Render, error)
	// ListRenders returns renders newest (by CreatedAt) first.
	ListRenders(ctx context.Context, f simvid.RenderFilter) ([]*simvid.Render, error)
	CountRenders(ctx context.Context, f simvid.RenderFilter) (int, error)
	// SearchRenders is ListRenders with a creation-time window, for the admin.
	SearchRenders(ctx context.Context, q simvid.RenderQuery) ([]*simvid.Render, error)

	// AddAudit appends an admin action to the audit log, setting ID (and a zero At to now).
	AddAudit(ctx context.Context, e *simvid.AuditEvent) error
	// ListAudit returns audit events newest first.
	ListAudit(ctx context.Context, f simvid.AuditFilter) ([]*simvid.AuditEvent, error)
	// GetSetting returns an admin setting; ENotFound when it was never set.
	GetSetting(ctx context.Context, key string) (string, error)
	// PutSetting inserts or replaces an admin setting.
	PutSetting(ctx context.Context, key, value string) error
	// DeleteSetting removes a setting, so the configured default applies again.
	DeleteSetting(ctx context.Context, key string) error
	// Usage counts the files the database knows by kind ("image", "audio", and "render" for
	// finished videos) with their bytes.
	Usage(ctx context.Context) (map[string]simvid.KindUsage, error)

	// CreateAPIKey inserts k (its Hash must be unique).
	CreateAPIKey(ctx context.Context, k *simvid.APIKey) error
	GetAPIKey(ctx context.Context, id string) (*simvid.APIKey, error)
	GetAPIKeyByHash(ctx context.Context, hash string) (*simvid.APIKey, error)
	// ListAPIKeys returns every key, revoked ones too, newest first.
	ListAPIKeys(ctx context.Context) ([]*simvid.APIKey, error)
	// UpdateAPIKey cannot change ID, Hash, WebhookSecret or CreatedAt.
	UpdateAPIKey(ctx context.Context, id string, fn func(k *simvid.APIKey) error) (*simvid.APIKey, error)
	// APIKeyUsage sums the uploads of a key's projects and counts its renders since since.
	APIKeyUsage(ctx context.Context, keyID string, since time.Time) (simvid.KeyUsage, error)
	// AddWebhookDelivery records one delivery attempt, setting ID.
	AddWebhookDelivery(ctx context.Context, d *simvid.WebhookDelivery) error
	// ListWebhookDeliveries returns attempts newest first; renderID "" = every render's.
	ListWebhookDeliveries(ctx context.Context, renderID string, limit int) ([]*simvid.WebhookDelivery, error)
}

// Open connects to the database named by databaseURL and brings its schema up to date.
//
//   - "" : SQLite file <dataDir>/simvid.db (the directory is created)
//   - "sqlite:///abs/path.db", "sqlite://relative.db", "file:path.db": SQLite
//   - "postgres://..." or "postgresql://...": PostgreSQL; the URL parameter
//     pool_max_conns (default 10) caps the connection pool.
func Open(ctx context.Context, databaseURL, dataDir string, log *zap.Logger) (Store, error) {
	t, err := parseURL(databaseURL, dataDir)
	if err != nil {
		return nil, err
	}
	var s *sqlStore
	switch t.dialect {
	case DialectSQLite:
		s, err = openSQLite(t.path, t.query)
	default:
		s, err = openPostgres(t.pgURL, t.poolMax)
	}
	if err != nil {
		return nil, err
	}
	s.log = log
	if err := s.w.PingContext(ctx); err != nil {
		s.Close()
		return nil, wrapErr("connect", err)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	log.Info("database open", zap.String("dialect", s.dialect), zap.String("location", t.display))
	return s, nil
}
