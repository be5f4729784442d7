package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

const assetCols = `id, project_id, kind, state, error, sha256, original_name, size, format,
	width, height, orientation, pix_fmt, duration, codec, peaks, created_at, source_url, progress`

func scanAsset(row scanner) (*simvid.Asset, error) {
	a := &simvid.Asset{}
	err := row.Scan(&a.ID, &a.ProjectID, &a.Kind, &a.State, &a.Error, &a.SHA256, &a.OriginalName,
		&a.Size, &a.Format, &a.Width, &a.Height, &a.Orientation, &a.PixFmt, &a.Duration, &a.Codec,
		jsonCol{&a.Peaks}, timeCol{&a.CreatedAt}, &a.SourceURL, &a.Progress)
	return a, err
}

func (s *sqlStore) CreateAsset(ctx context.Context, a *simvid.Asset) error {
	if a.ID == "" {
		return errors.New("store: create asset: empty id")
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = time.Now()
	}
	a.CreatedAt = norm(a.CreatedAt)
	peaks, err := jsonArg(a.Peaks)
	if err != nil {
		return fmt.Errorf("store: create asset: %w", err)
	}
	_, err = s.w.ExecContext(ctx, s.q(`INSERT INTO assets (`+assetCols+`) VALUES (`+placeholders(19)+`)`),
		a.ID, a.ProjectID, a.Kind, a.State, a.Error, a.SHA256, a.OriginalName, a.Size, a.Format,
		a.Width, a.Height, a.Orientation, a.PixFmt, a.Duration, a.Codec, peaks, s.timeArg(a.CreatedAt),
		a.SourceURL, a.Progress)
	if isForeignKey(err) {
		return notFound("project")
	}
	if err != nil {
		return wrapErr("create asset", err)
	}
	return nil
}

func (s *sqlStore) GetAsset(ctx context.Context, id string) (*simvid.Asset, error) {
	a, err := scanAsset(s.r.QueryRowContext(ctx, s.q(`SELECT `+assetCols+` FROM assets WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("asset")
	}
	if err != nil {
		return nil, wrapErr("get asset", err)
	}
	return a, nil
}

func (s *sqlStore) UpdateAsset(ctx context.Context, id string, fn func(a *simvid.Asset) error) (*simvid.Asset, error) {
	return update(ctx, s, "asset", `SELECT `+assetCols+` FROM assets WHERE id = ?`, id, scanAsset, fn,
		func(tx *sql.Tx, old, a *simvid.Asset) error {
			a.ID, a.ProjectID, a.CreatedAt = old.ID, old.ProjectID, old.CreatedAt
			peaks, err := jsonArg(a.Peaks)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, s.q(`UPDATE assets SET kind = ?, state = ?, error = ?, sha256 = ?,
				original_name = ?, size = ?, format = ?, width = ?, height = ?, orientation = ?,
				pix_fmt = ?, duration = ?, codec = ?, peaks = ?, source_url = ?, progress = ? WHERE id = ?`),
				a.Kind, a.State, a.Error, a.SHA256, a.OriginalName, a.Size, a.Format, a.Width, a.Height,
				a.Orientation, a.PixFmt, a.Duration, a.Codec, peaks, a.SourceURL, a.Progress, a.ID)
			return err
		})
}

func (s *sqlStore) ListAssets(ctx context.Context, projectID, kind string) ([]*simvid.Asset, error) {
	where, args := []string{"project_id = ?"}, []any{projectID}
	if kind != "" {
		where, args = append(where, "kind = ?"), append(args, kind)
	}
	query := `SELECT ` + assetCols + ` FROM assets` + whereSQL(where) + ` ORDER BY created_at, id`
	return list(ctx, s, "list assets", query, args, scanAsset)
}

func (s *sqlStore) DeleteAsset(ctx context.Context, id string) error {
	return deleteRow(ctx, s, s.w, "assets", "asset", id)
}
