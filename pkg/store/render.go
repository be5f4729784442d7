package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

// renderRest are the columns after id, project_id and spec.
const renderRest = `state, progress, eta, message, error, error_detail,
	warnings, frames_total, frames_done, duration, output_size, attempts, client, worker,
	cancel_asked, created_at, started_at, finished_at, updated_at, callback_url, link_base`

const renderCols = `id, project_id, spec, ` + renderRest

func scanRender(row scanner) (*simvid.Render, error) {
	r := &simvid.Render{}
	return r, scanRenderInto(row, r, &r.Spec)
}

// scanRenderInto scans renderCols into r, the spec column into spec (all of r.Spec, or its
// Output alone for GetRenderStatus).
func scanRenderInto(row scanner, r *simvid.Render, spec any) error {
	return row.Scan(&r.ID, &r.ProjectID, jsonCol{spec}, &r.State, &r.Progress, &r.ETA, &r.Message,
		&r.Error, &r.ErrorDetail, jsonCol{&r.Warnings}, &r.FramesTotal, &r.FramesDone, &r.Duration,
		&r.OutputSize, &r.Attempts, &r.Client, &r.Worker, &r.CancelAsked, timeCol{&r.CreatedAt},
		nullTimeCol{&r.StartedAt}, nullTimeCol{&r.FinishedAt}, timeCol{&r.UpdatedAt}, &r.CallbackURL, &r.LinkBase)
}

// renderArgs are the columns after id, project_id and created_at, in renderSet order.
func (s *sqlStore) renderArgs(r *simvid.Render) ([]any, error) {
	spec, err := jsonArg(r.Spec)
	if err != nil {
		return nil, err
	}
	warnings, err := jsonArg(r.Warnings)
	if err != nil {
		return nil, err
	}
	return []any{spec, r.State, r.Progress, r.ETA, r.Message, r.Error, r.ErrorDetail, warnings,
		r.FramesTotal, r.FramesDone, r.Duration, r.OutputSize, r.Attempts, r.Client, r.Worker,
		r.CancelAsked, s.timePtrArg(r.StartedAt), s.timePtrArg(r.FinishedAt), s.timeArg(r.UpdatedAt), r.CallbackURL, r.LinkBase}, nil
}

const renderSet = `spec = ?, state = ?, progress = ?, eta = ?, message = ?, error = ?,
	error_detail = ?, warnings = ?, frames_total = ?, frames_done = ?, duration = ?,
	output_size = ?, attempts = ?, client = ?, worker = ?, cancel_asked = ?, started_at = ?,
	finished_at = ?, updated_at = ?, callback_url = ?, link_base = ?`

func (s *sqlStore) CreateRender(ctx context.Context, r *simvid.Render) error {
	if r.ID == "" {
		return errors.New("store: create render: empty id")
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = time.Now()
	}
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = r.CreatedAt
	}
	r.CreatedAt, r.UpdatedAt = norm(r.CreatedAt), norm(r.UpdatedAt)
	r.StartedAt, r.FinishedAt = normPtr(r.StartedAt), normPtr(r.FinishedAt)
	rest, err := s.renderArgs(r)
	if err != nil {
		return fmt.Errorf("store: create render: %w", err)
	}
	args := append([]any{r.ID, r.ProjectID, s.timeArg(r.CreatedAt)}, rest...)
	_, err = s.w.ExecContext(ctx, s.q(`INSERT INTO renders (id, project_id, created_at, spec, state,
		progress, eta, message, error, error_detail, warnings, frames_total, frames_done, duration,
		output_size, attempts, client, worker, cancel_asked, started_at, finished_at, updated_at,
		callback_url, link_base)
		VALUES (`+placeholders(len(args))+`)`), args...)
	if isForeignKey(err) {
		return notFound("project")
	}
	if err != nil {
		return wrapErr("create render", err)
	}
	return nil
}

func (s *sqlStore) GetRender(ctx context.Context, id string) (*simvid.Render, error) {
	r, err := scanRender(s.r.QueryRowContext(ctx, s.q(`SELECT `+renderCols+` FROM renders WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("render")
	}
	if err != nil {
		return nil, wrapErr("get render", err)
	}
	return r, nil
}

// GetRenderStatus reads the spec's output only: the database sends, and simvid decodes, a
// few bytes instead of every slide, which status polls and streams never show.
func (s *sqlStore) GetRenderStatus(ctx context.Context, id string) (*simvid.Render, error) {
	output := `json_extract(spec, '$.output')`
	if s.dialect == DialectPostgres {
		output = `spec->'output'`
	}
	r := &simvid.Render{}
	err := scanRenderInto(s.r.QueryRowContext(ctx, s.q(`SELECT id, project_id, `+output+`, `+renderRest+
		` FROM renders WHERE id = ?`), id), r, &r.Spec.Output)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("render")
	}
	if err != nil {
		return nil, wrapErr("get render status", err)
	}
	return r, nil
}

func (s *sqlStore) UpdateRender(ctx context.Context, id string, fn func(r *simvid.Render) error) (*simvid.Render, error) {
	return update(ctx, s, "render", `SELECT `+renderCols+` FROM renders WHERE id = ?`, id, scanRender, fn,
		func(tx *sql.Tx, old, r *simvid.Render) error {
			r.ID, r.ProjectID, r.CreatedAt, r.UpdatedAt = old.ID, old.ProjectID, old.CreatedAt, norm(time.Now())
			r.StartedAt, r.FinishedAt = normPtr(r.StartedAt), normPtr(r.FinishedAt)
			args, err := s.renderArgs(r)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, s.q(`UPDATE renders SET `+renderSet+` WHERE id = ?`), append(args, r.ID)...)
			return err
		})
}

func (s *sqlStore) renderWhere(f simvid.RenderFilter) (string, []any) {
	var where []string
	var args []any
	if f.ProjectID != "" {
		where, args = append(where, "project_id = ?"), append(args, f.ProjectID)
	}
	if len(f.States) > 0 {
		where = append(where, "state IN ("+placeholders(len(f.States))+")")
		for _, st := range f.States {
			args = append(args, st)
		}
	}
	if f.Client != "" {
		where, args = append(where, "client = ?"), append(args, f.Client)
	}
	return whereSQL(where), args
}

func (s *sqlStore) ListRenders(ctx context.Context, f simvid.RenderFilter) ([]*simvid.Render, error) {
	where, args := s.renderWhere(f)
	query := `SELECT ` + renderCols + ` FROM renders` + where + ` ORDER BY created_at DESC, id DESC` + limitSQL(f.Limit)
	return list(ctx, s, "list renders", query, args, scanRender)
}

func (s *sqlStore) CountRenders(ctx context.Context, f simvid.RenderFilter) (int, error) {
	where, args := s.renderWhere(f)
	var n int
	if err := s.r.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM renders`+where), args...).Scan(&n); err != nil {
		return 0, wrapErr("count renders", err)
	}
	return n, nil
}
