package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

const assetCols = `id, project_id, kind, state, error, sha256, original_name, size, format,
	width, height, orientation, pix_fmt, duration, codec, peaks, created_at, source_url, progress, meta`

func scanAsset(row scanner) (*simvid.Asset, error) {
	a := &simvid.Asset{}
	err := row.Scan(&a.ID, &a.ProjectID, &a.Kind, &a.State, &a.Error, &a.SHA256, &a.OriginalName,
		&a.Size, &a.Format, &a.Width, &a.Height, &a.Orientation, &a.PixFmt, &a.Duration, &a.Codec,
		jsonCol{&a.Peaks}, timeCol{&a.CreatedAt}, &a.SourceURL, &a.Progress, jsonCol{(*assetMeta)(a)})
	return a, err
}

// assetMeta is the asset's meta column: the fields that only some kinds have, kept as one
// JSON object so that a new one needs no migration.
type assetMeta simvid.Asset

func (m *assetMeta) MarshalJSON() ([]byte, error) {
	return json.Marshal(metaFields{m.TakenAt, m.Clip, m.Beats})
}

func (m *assetMeta) UnmarshalJSON(b []byte) error {
	var f metaFields
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	m.TakenAt, m.Clip, m.Beats = f.TakenAt, f.Clip, f.Beats
	return nil
}

type metaFields struct {
	TakenAt *time.Time       `json:"taken_at,omitempty"`
	Clip    *simvid.ClipInfo `json:"clip,omitempty"`
	Beats   *simvid.Beats    `json:"beats,omitempty"`
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
	meta, err := jsonArg((*assetMeta)(a))
	if err != nil {
		return fmt.Errorf("store: create asset: %w", err)
	}
	_, err = s.w.ExecContext(ctx, s.q(`INSERT INTO assets (`+assetCols+`) VALUES (`+placeholders(20)+`)`),
		a.ID, a.ProjectID, a.Kind, a.State, a.Error, a.SHA256, a.OriginalName, a.Size, a.Format,
		a.Width, a.Height, a.Orientation, a.PixFmt, a.Duration, a.Codec, peaks, s.timeArg(a.CreatedAt),
		a.SourceURL, a.Progress, meta)
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
			meta, err := jsonArg((*assetMeta)(a))
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, s.q(`UPDATE assets SET kind = ?, state = ?, error = ?, sha256 = ?,
				original_name = ?, size = ?, format = ?, width = ?, height = ?, orientation = ?,
				pix_fmt = ?, duration = ?, codec = ?, peaks = ?, source_url = ?, progress = ?, meta = ? WHERE id = ?`),
				a.Kind, a.State, a.Error, a.SHA256, a.OriginalName, a.Size, a.Format, a.Width, a.Height,
				a.Orientation, a.PixFmt, a.Duration, a.Codec, peaks, a.SourceURL, a.Progress, meta, a.ID)
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

func (s *sqlStore) ListUnfinishedAssets(ctx context.Context) ([]*simvid.Asset, error) {
	query := `SELECT ` + assetCols + ` FROM assets WHERE state IN (?, ?) ORDER BY created_at, id`
	return list(ctx, s, "list unfinished assets", query, []any{simvid.AssetFetching, simvid.AssetProcessing}, scanAsset)
}

func (s *sqlStore) DeleteAsset(ctx context.Context, id string) error {
	return deleteRow(ctx, s, s.w, "assets", "asset", id)
}
