package store

import (
	"encoding/json"
	"fmt"
	"time"
)

// sqliteTime is how SQLite columns hold times: fixed width, so text order is time order.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

// norm is the precision both dialects keep: UTC, microseconds, no monotonic reading.
func norm(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func normPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	n := norm(*t)
	return &n
}

// timeArg is a time as a query argument of this dialect.
func (s *sqlStore) timeArg(t time.Time) any {
	t = norm(t)
	if s.dialect == DialectSQLite {
		return t.Format(sqliteTime)
	}
	return t
}

func (s *sqlStore) timePtrArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return s.timeArg(*t)
}

// jsonArg marshals v for a JSON column; nil slices are stored as JSON null so they come
// back nil.
func jsonArg(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode json: %w", err)
	}
	return string(b), nil
}

// timeCol scans a time column of either dialect into a non-nil time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(v any) error {
	t, err := scanTime(v)
	if err != nil {
		return err
	}
	if t == nil {
		return fmt.Errorf("unexpected NULL time")
	}
	*c.t = *t
	return nil
}

// nullTimeCol scans a nullable time column; NULL leaves nil.
type nullTimeCol struct{ t **time.Time }

func (c nullTimeCol) Scan(v any) error {
	t, err := scanTime(v)
	if err != nil {
		return err
	}
	*c.t = t
	return nil
}

func scanTime(v any) (*time.Time, error) {
	var t time.Time
	switch x := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		t = x
	case string:
		return parseTime(x)
	case []byte:
		return parseTime(string(x))
	default:
		return nil, fmt.Errorf("cannot scan %T into a time", v)
	}
	t = norm(t)
	return &t, nil
}

func parseTime(s string) (*time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, fmt.Errorf("parse time %q: %w", s, err)
	}
	t = norm(t)
	return &t, nil
}

// jsonCol scans a JSON column (text or bytes) into the value dst points to.
type jsonCol struct{ dst any }

func (c jsonCol) Scan(v any) error {
	var b []byte
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return fmt.Errorf("cannot scan %T as JSON", v)
	}
	if err := json.Unmarshal(b, c.dst); err != nil {
		return fmt.Errorf("decode json: %w", err)
	}
	return nil
}
