package store

import (
	"context"
	"database/sql"
	"errors"
)

// update is the read-modify-write shared by the Update* methods: lock the row (BEGIN
// IMMEDIATE on SQLite, FOR UPDATE on PostgreSQL), let fn change a copy, write it back. An
// error from fn is returned unchanged and nothing is written.
func update[T any](ctx context.Context, s *sqlStore, what, selectSQL, id string,
	scan func(scanner) (*T, error), fn func(*T) error,
	write func(tx *sql.Tx, old, cur *T) error,
) (*T, error) {
	op := "update " + what
	var out *T
	err := s.inTx(ctx, op, func(tx *sql.Tx) error {
		cur, err := scan(tx.QueryRowContext(ctx, s.q(selectSQL+s.forUpdate()), id))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound(what)
		}
		if err != nil {
			return wrapErr(op, err)
		}
		old := *cur // fn may change the fields that write keeps fixed (id, created_at)
		if err := fn(cur); err != nil {
			return err
		}
		if err := write(tx, &old, cur); err != nil {
			return wrapErr(op, err)
		}
		out = cur
		return nil
	})
	return out, err
}

// list runs a query returning many rows of one entity.
func list[T any](ctx context.Context, s *sqlStore, op, query string, args []any, scan func(scanner) (*T, error)) ([]*T, error) {
	rows, err := s.r.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, wrapErr(op, err)
	}
	defer rows.Close()
	out := []*T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, wrapErr(op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr(op, err)
	}
	return out, nil
}
