package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"go.uber.org/zap"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// sqliteReaders caps the SQLite read pool; WAL lets readers run beside the one writer.
const sqliteReaders = 4

// sqlStore implements Store over database/sql for both dialects. Queries are written with
// "?" placeholders and rewritten to $n for PostgreSQL.
type sqlStore struct {
	dialect string
	w       *sql.DB // writes and read-modify-write transactions
	r       *sql.DB // plain reads; the same pool as w on PostgreSQL
	log     *zap.Logger
}

// openSQLite opens one single-connection writer pool, so writers in this process queue in
// Go instead of failing with SQLITE_BUSY, and a small read-only pool beside it.
// BEGIN IMMEDIATE and busy_timeout cover writers in other processes.
func openSQLite(path string, q url.Values) (*sqlStore, error) {
	setDefault := func(v url.Values, k, val string) {
		if v.Get(k) == "" {
			v.Set(k, val)
		}
	}
	wq := cloneValues(q)
	setDefault(wq, "_busy_timeout", "10000")
	setDefault(wq, "_foreign_keys", "1")
	setDefault(wq, "_journal_mode", "WAL")
	setDefault(wq, "_synchronous", "NORMAL")
	setDefault(wq, "_txlock", "immediate")
	w, err := sql.Open("sqlite", path+"?"+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// Open pings the writer before any read, so the file exists and is in WAL mode before
	// a reader opens it.
	rq := cloneValues(q)
	setDefault(rq, "_busy_timeout", "10000")
	setDefault(rq, "_foreign_keys", "1")
	setDefault(rq, "_query_only", "1")
	r, err := sql.Open("sqlite", path+"?"+rq.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	r.SetMaxOpenConns(sqliteReaders)
	r.SetMaxIdleConns(sqliteReaders)
	return &sqlStore{dialect: DialectSQLite, w: w, r: r}, nil
}

func cloneValues(q url.Values) url.Values {
	c := url.Values{}
	for k, v := range q {
		c[k] = append([]string(nil), v...)
	}
	return c
}

func openPostgres(pgURL string, poolMax int) (*sqlStore, error) {
	cfg, err := pgx.ParseConfig(pgURL)
	if err != nil {
		return nil, fmt.Errorf("store: postgres URL: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(poolMax)
	db.SetMaxIdleConns(poolMax)
	return &sqlStore{dialect: DialectPostgres, w: db, r: db}, nil
}

func (s *sqlStore) Dialect() string { return s.dialect }

func (s *sqlStore) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return wrapErr("ping", err)
	}
	if s.r != s.w {
		if err := s.r.PingContext(ctx); err != nil {
			return wrapErr("ping", err)
		}
	}
	return nil
}

func (s *sqlStore) Close() error {
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	if err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// q rewrites "?" placeholders to "$1, $2..." for PostgreSQL. Queries in this package never
// hold a literal "?".
func (s *sqlStore) q(query string) string {
	if s.dialect != DialectPostgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// forUpdate is the row lock a read-modify-write takes; SQLite's BEGIN IMMEDIATE already
// holds the database write lock.
func (s *sqlStore) forUpdate() string {
	if s.dialect == DialectPostgres {
		return " FOR UPDATE"
	}
	return ""
}

// inTx runs fn in a write transaction, committing when it returns nil. An error from fn is
// returned unchanged.
func (s *sqlStore) inTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return wrapErr(op, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return wrapErr(op, err)
	}
	return nil
}

// placeholders returns "?, ?, ?" with n marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
