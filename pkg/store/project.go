package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

const projectCols = "id, created_at, updated_at, owner_key, spec"

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanProject(row scanner) (*simvid.Project, error) {
	p := &simvid.Project{}
	err := row.Scan(&p.ID, timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt}, &p.OwnerKey, jsonCol{&p.Spec})
	return p, err
}

func (s *sqlStore) CreateProject(ctx context.Context, p *simvid.Project) error {
	if p.ID == "" {
		return errors.New("store: create project: empty id")
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = time.Now()
	}
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = p.CreatedAt
	}
	p.CreatedAt, p.UpdatedAt = norm(p.CreatedAt), norm(p.UpdatedAt)
	spec, err := jsonArg(p.Spec)
	if err != nil {
		return fmt.Errorf("store: create project: %w", err)
	}
	_, err = s.w.ExecContext(ctx, s.q(`INSERT INTO projects (`+projectCols+`) VALUES (?, ?, ?, ?, ?)`),
		p.ID, s.timeArg(p.CreatedAt), s.timeArg(p.UpdatedAt), p.OwnerKey, spec)
	if err != nil {
		return wrapErr("create project", err)
	}
	return nil
}

func (s *sqlStore) GetProject(ctx context.Context, id string) (*simvid.Project, error) {
	p, err := scanProject(s.r.QueryRowContext(ctx, s.q(`SELECT `+projectCols+` FROM projects WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("project")
	}
	if err != nil {
		return nil, wrapErr("get project", err)
	}
	return p, nil
}

func (s *sqlStore) UpdateProject(ctx context.Context, id string, fn func(p *simvid.Project) error) (*simvid.Project, error) {
	return update(ctx, s, "project", `SELECT `+projectCols+` FROM projects WHERE id = ?`, id, scanProject, fn,
		func(tx *sql.Tx, old, p *simvid.Project) error {
			p.ID, p.CreatedAt, p.UpdatedAt = old.ID, old.CreatedAt, norm(time.Now())
			spec, err := jsonArg(p.Spec)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, s.q(`UPDATE projects SET updated_at = ?, owner_key = ?, spec = ? WHERE id = ?`),
				s.timeArg(p.UpdatedAt), p.OwnerKey, spec, p.ID)
			return err
		})
}

func (s *sqlStore) DeleteProject(ctx context.Context, id string) error {
	return s.inTx(ctx, "delete project", func(tx *sql.Tx) error {
		// The foreign keys cascade too; deleting the children first keeps this true even on a
		// SQLite connection opened without foreign_keys.
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM webhook_deliveries WHERE render_id IN
			(SELECT id FROM renders WHERE project_id = ?)`), id); err != nil {
			return wrapErr("delete project webhook deliveries", err)
		}
		for _, table := range []string{"renders", "assets"} {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM `+table+` WHERE project_id = ?`), id); err != nil {
				return wrapErr("delete project "+table, err)
			}
		}
		return deleteRow(ctx, s, tx, "projects", "project", id)
	})
}

// deleteRow deletes one row by id, not found when there was none.
func deleteRow(ctx context.Context, s *sqlStore, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, table, what, id string) error {
	res, err := db.ExecContext(ctx, s.q(`DELETE FROM `+table+` WHERE id = ?`), id)
	if err != nil {
		return wrapErr("delete "+what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrapErr("delete "+what, err)
	}
	if n == 0 {
		return notFound(what)
	}
	return nil
}

func (s *sqlStore) ListProjects(ctx context.Context, f simvid.ProjectFilter) ([]*simvid.Project, error) {
	var where []string
	var args []any
	if !f.UpdatedBefore.IsZero() {
		where, args = append(where, "updated_at < ?"), append(args, s.timeArg(f.UpdatedBefore))
	}
	if f.OwnerKey != "" {
		where, args = append(where, "owner_key = ?"), append(args, f.OwnerKey)
	}
	query := `SELECT ` + projectCols + ` FROM projects` + whereSQL(where) + ` ORDER BY updated_at DESC, id` + limitSQL(f.Limit)
	return list(ctx, s, "list projects", query, args, scanProject)
}

func (s *sqlStore) CountProjects(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM projects`).Scan(&n); err != nil {
		return 0, wrapErr("count projects", err)
	}
	return n, nil
}

func whereSQL(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

func limitSQL(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" LIMIT %d", n)
}
