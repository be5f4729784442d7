package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

const keyCols = `id, name, prefix, hash, webhook_url, webhook_secret, rate_limit, renders_per_day,
	storage_bytes, created_at, revoked_at, last_used_at`

func scanKey(row scanner) (*simvid.APIKey, error) {
	k := &simvid.APIKey{}
	err := row.Scan(&k.ID, &k.Name, &k.Prefix, &k.Hash, &k.WebhookURL, &k.WebhookSecret, &k.RateLimit,
		&k.RendersPerDay, &k.StorageBytes, timeCol{&k.CreatedAt}, nullTimeCol{&k.RevokedAt}, nullTimeCol{&k.LastUsedAt})
	return k, err
}

func (s *sqlStore) CreateAPIKey(ctx context.Context, k *simvid.APIKey) error {
	if k.ID == "" || k.Hash == "" {
		return errors.New("store: create api key: empty id or hash")
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = time.Now()
	}
	k.CreatedAt = norm(k.CreatedAt)
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO api_keys (`+keyCols+`) VALUES (`+placeholders(12)+`)`),
		k.ID, k.Name, k.Prefix, k.Hash, k.WebhookURL, k.WebhookSecret, k.RateLimit, k.RendersPerDay,
		k.StorageBytes, s.timeArg(k.CreatedAt), s.timePtrArg(k.RevokedAt), s.timePtrArg(k.LastUsedAt))
	if err != nil {
		return wrapErr("create api key", err)
	}
	return nil
}

func (s *sqlStore) getKey(ctx context.Context, col, v string) (*simvid.APIKey, error) {
	k, err := scanKey(s.r.QueryRowContext(ctx, s.q(`SELECT `+keyCols+` FROM api_keys WHERE `+col+` = ?`), v))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("API key")
	}
	if err != nil {
		return nil, wrapErr("get api key", err)
	}
	return k, nil
}

func (s *sqlStore) GetAPIKey(ctx context.Context, id string) (*simvid.APIKey, error) {
	return s.getKey(ctx, "id", id)
}

func (s *sqlStore) GetAPIKeyByHash(ctx context.Context, hash string) (*simvid.APIKey, error) {
	return s.getKey(ctx, "hash", hash)
}

func (s *sqlStore) ListAPIKeys(ctx context.Context) ([]*simvid.APIKey, error) {
	return list(ctx, s, "list api keys", `SELECT `+keyCols+` FROM api_keys ORDER BY created_at DESC, id`, nil, scanKey)
}

func (s *sqlStore) UpdateAPIKey(ctx context.Context, id string, fn func(k *simvid.APIKey) error) (*simvid.APIKey, error) {
	return update(ctx, s, "API key", `SELECT `+keyCols+` FROM api_keys WHERE id = ?`, id, scanKey, fn,
		func(tx *sql.Tx, old, k *simvid.APIKey) error {
			k.ID, k.Hash, k.CreatedAt, k.WebhookSecret = old.ID, old.Hash, old.CreatedAt, old.WebhookSecret
			k.RevokedAt, k.LastUsedAt = normPtr(k.RevokedAt), normPtr(k.LastUsedAt)
			_, err := tx.ExecContext(ctx, s.q(`UPDATE api_keys SET name = ?, webhook_url = ?, rate_limit = ?,
				renders_per_day = ?, storage_bytes = ?, revoked_at = ?, last_used_at = ? WHERE id = ?`),
				k.Name, k.WebhookURL, k.RateLimit, k.RendersPerDay, k.StorageBytes,
				s.timePtrArg(k.RevokedAt), s.timePtrArg(k.LastUsedAt), k.ID)
			return err
		})
}

func (s *sqlStore) APIKeyUsage(ctx context.Context, keyID string, since time.Time) (simvid.KeyUsage, error) {
	var u simvid.KeyUsage
	err := s.r.QueryRowContext(ctx, s.q(`SELECT COALESCE(SUM(a.size), 0) FROM assets a
		JOIN projects p ON p.id = a.project_id WHERE p.owner_key = ?`), keyID).Scan(&u.Bytes)
	if err != nil {
		return u, wrapErr("api key usage", err)
	}
	err = s.r.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM renders r JOIN projects p ON p.id = r.project_id
		WHERE p.owner_key = ? AND r.created_at >= ?`), keyID, s.timeArg(since)).Scan(&u.Renders)
	if err != nil {
		return u, wrapErr("api key usage", err)
	}
	return u, nil
}

func (s *sqlStore) AddWebhookDelivery(ctx context.Context, d *simvid.WebhookDelivery) error {
	if d.At.IsZero() {
		d.At = time.Now()
	}
	d.At, d.NextAt = norm(d.At), normPtr(d.NextAt)
	err := s.w.QueryRowContext(ctx, s.q(`INSERT INTO webhook_deliveries (render_id, event, url, attempt, at,
		status, error, duration_ms, next_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		d.RenderID, d.Event, d.URL, d.Attempt, s.timeArg(d.At), d.Status, d.Error, d.DurationMS,
		s.timePtrArg(d.NextAt)).Scan(&d.ID)
	if err != nil {
		return wrapErr("add webhook delivery", err)
	}
	return nil
}

func scanDelivery(row scanner) (*simvid.WebhookDelivery, error) {
	d := &simvid.WebhookDelivery{}
	err := row.Scan(&d.ID, &d.RenderID, &d.Event, &d.URL, &d.Attempt, timeCol{&d.At}, &d.Status, &d.Error,
		&d.DurationMS, nullTimeCol{&d.NextAt})
	return d, err
}

func (s *sqlStore) ListWebhookDeliveries(ctx context.Context, renderID string, limit int) ([]*simvid.WebhookDelivery, error) {
	var where []string
	var args []any
	if renderID != "" {
		where, args = append(where, "render_id = ?"), append(args, renderID)
	}
	return list(ctx, s, "list webhook deliveries", `SELECT id, render_id, event, url, attempt, at, status, error,
		duration_ms, next_at FROM webhook_deliveries`+whereSQL(where)+` ORDER BY id DESC`+limitSQL(limit), args, scanDelivery)
}
