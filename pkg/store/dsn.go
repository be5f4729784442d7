package store

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// defaultPoolMaxConns is the PostgreSQL pool size when the URL has no pool_max_conns.
const defaultPoolMaxConns = 10

// target is a parsed database URL.
type target struct {
	dialect string
	path    string // SQLite: the DSN without its query ("file:..." kept whole)
	query   url.Values
	pgURL   string // PostgreSQL: the URL without pool_max_conns
	poolMax int
	display string // safe to log: no password
}

func parseURL(raw, dataDir string) (target, error) {
	switch {
	case raw == "":
		if dataDir == "" {
			return target{}, errors.New("store: no database URL and no data directory")
		}
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return target{}, fmt.Errorf("store: create data directory: %w", err)
		}
		p := filepath.Join(dataDir, "simvid.db")
		return target{dialect: DialectSQLite, path: p, query: url.Values{}, display: p}, nil
	case strings.HasPrefix(raw, "sqlite://"), strings.HasPrefix(raw, "file:"):
		return parseSQLite(raw)
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		return parsePostgres(raw)
	}
	return target{}, errors.New("store: database URL must start with postgres://, postgresql://, sqlite:// or file:")
}

func parseSQLite(raw string) (target, error) {
	path, rawQuery, _ := strings.Cut(raw, "?")
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return target{}, fmt.Errorf("store: sqlite URL parameters: %w", err)
	}
	file := path
	if p, ok := strings.CutPrefix(path, "sqlite://"); ok {
		path, file = p, p
	} else {
		// file:/abs, file:///abs, file:rel: the part SQLite treats as the file name.
		file = strings.TrimPrefix(path, "file:")
		if strings.HasPrefix(file, "///") {
			file = file[2:]
		}
	}
	if file == "" || strings.Contains(file, ":memory:") || q.Get("mode") == "memory" {
		return target{}, errors.New("store: sqlite URL must name a database file (in-memory databases are not supported)")
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o750); err != nil {
		return target{}, fmt.Errorf("store: create database directory: %w", err)
	}
	return target{dialect: DialectSQLite, path: path, query: q, display: file}, nil
}

func parsePostgres(raw string) (target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the URL, password included: do not wrap it.
		return target{}, errors.New("store: malformed postgres URL")
	}
	q := u.Query()
	n := defaultPoolMaxConns
	if v := q.Get("pool_max_conns"); v != "" {
		n, err = strconv.Atoi(v)
		if err != nil || n < 1 {
			return target{}, fmt.Errorf("store: pool_max_conns %q: want a positive integer", v)
		}
		q.Del("pool_max_conns")
		u.RawQuery = q.Encode()
	}
	return target{dialect: DialectPostgres, pgURL: u.String(), poolMax: n, display: u.Redacted()}, nil
}
