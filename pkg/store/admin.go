package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

// Setting keys the admin writes and the workers read.
const (
	SettingProjectTTL = "retention.project_ttl" // a Go duration; "0" = never expire
)

func (s *sqlStore) AddAudit(ctx context.Context, e *simvid.AuditEvent) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = norm(e.At)
	q := `INSERT INTO audit_events (at, actor, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`
	err := s.w.QueryRowContext(ctx, s.q(q), s.timeArg(e.At), e.Actor, e.Action, e.Target, e.Detail, e.IP).Scan(&e.ID)
	if err != nil {
		return wrapErr("add audit event", err)
	}
	return nil
}

func scanAudit(row scanner) (*simvid.AuditEvent, error) {
	e := &simvid.AuditEvent{}
	err := row.Scan(&e.ID, timeCol{&e.At}, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.IP)
	return e, err
}

func (s *sqlStore) ListAudit(ctx context.Context, f simvid.AuditFilter) ([]*simvid.AuditEvent, error) {
	var where []string
	var args []any
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.Before > 0 {
		where, args = append(where, "id < ?"), append(args, f.Before)
	}
	query := `SELECT id, at, actor, action, target, detail, ip FROM audit_events` + whereSQL(where) +
		` ORDER BY id DESC` + limitSQL(f.Limit)
	return list(ctx, s, "list audit events", query, args, scanAudit)
}

func (s *sqlStore) GetSetting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.r.QueryRowContext(ctx, s.q(`SELECT value FROM settings WHERE key = ?`), key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("setting " + key)
	}
	if err != nil {
		return "", wrapErr("get setting", err)
	}
	return v, nil
}

func (s *sqlStore) PutSetting(ctx context.Context, key, value string) error {
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`),
		key, value, s.timeArg(time.Now()))
	if err != nil {
		return wrapErr("put setting", err)
	}
	return nil
}

func (s *sqlStore) DeleteSetting(ctx context.Context, key string) error {
	if _, err := s.w.ExecContext(ctx, s.q(`DELETE FROM settings WHERE key = ?`), key); err != nil {
		return wrapErr("delete setting", err)
	}
	return nil
}

func (s *sqlStore) SearchRenders(ctx context.Context, q simvid.RenderQuery) ([]*simvid.Render, error) {
	where, args := s.renderWhere(q.RenderFilter)
	var extra []string
	if !q.Since.IsZero() {
		extra, args = append(extra, "created_at >= ?"), append(args, s.timeArg(q.Since))
	}
	if !q.Until.IsZero() {
		extra, args = append(extra, "created_at < ?"), append(args, s.timeArg(q.Until))
	}
	for _, c := range extra {
		if where == "" {
			where = " WHERE " + c
		} else {
			where += " AND " + c
		}
	}
	query := `SELECT ` + renderCols + ` FROM renders` + where + ` ORDER BY created_at DESC, id DESC` + limitSQL(q.Limit)
	return list(ctx, s, "search renders", query, args, scanRender)
}

func (s *sqlStore) Usage(ctx context.Context) (map[string]simvid.KindUsage, error) {
	out := map[string]simvid.KindUsage{}
	rows, err := s.r.QueryContext(ctx, `SELECT kind, COUNT(*), COALESCE(SUM(size), 0) FROM assets GROUP BY kind`)
	if err != nil {
		return nil, wrapErr("usage", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var u simvid.KindUsage
		if err := rows.Scan(&k, &u.Count, &u.Bytes); err != nil {
			return nil, wrapErr("usage", err)
		}
		out[k] = u
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr("usage", err)
	}
	var u simvid.KindUsage
	err = s.r.QueryRowContext(ctx, s.q(`SELECT COUNT(*), COALESCE(SUM(output_size), 0) FROM renders WHERE state = ?`),
		simvid.StateDone).Scan(&u.Count, &u.Bytes)
	if err != nil {
		return nil, wrapErr("usage", err)
	}
	out["render"] = u
	return out, nil
}

// ProjectTTL is the retention the workers apply: the admin's setting when one is stored and
// valid, else def (the configured retention.project_ttl). 0 means projects never expire.
func ProjectTTL(ctx context.Context, s Store, def time.Duration) time.Duration {
	v, err := s.GetSetting(ctx, SettingProjectTTL)
	if err != nil {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return def
	}
	return d
}

// ExpiredProjects returns up to limit anonymous projects idle longer than ttl that have no
// unfinished render: what retention removes (the workers' sweep) and what the admin shows as
// about to go.
func ExpiredProjects(ctx context.Context, s Store, ttl time.Duration, limit int) ([]*simvid.Project, error) {
	old, err := s.ListProjects(ctx, simvid.ProjectFilter{UpdatedBefore: time.Now().Add(-ttl), Limit: limit})
	if err != nil {
		return nil, err
	}
	out := old[:0]
	for _, p := range old {
		if p.OwnerKey != "" {
			continue
		}
		n, err := s.CountRenders(ctx, simvid.RenderFilter{ProjectID: p.ID, States: simvid.UnfinishedStates()})
		if err != nil {
			return nil, err
		}
		if n == 0 {
			out = append(out, p)
		}
	}
	return out, nil
}
