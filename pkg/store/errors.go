package store

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/simvid/simvid/pkg/simvid"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// wrapErr prefixes err with the operation and, when the cause says the database cannot be
// reached (or is full), puts a coded error in the chain so callers can answer 503 (507).
func wrapErr(op string, err error) error {
	switch {
	case isUnavailable(err):
		err = simvid.Wrap(simvid.EUnavailable, err, "the database is unavailable")
	case isFull(err):
		err = simvid.Wrap(simvid.EStorageFull, err, "the database disk is full")
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

func notFound(what string) error {
	return simvid.Errorf(simvid.ENotFound, "%s not found", what)
}

func isUnavailable(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ce *pgconn.ConnectError
	var oe *net.OpError
	if errors.As(err, &ce) || errors.As(err, &oe) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case len(pe.Code) == 5 && pe.Code[:2] == "08": // connection exception
			return true
		case pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", pe.Code == "53300":
			return true // shutting down, cannot connect now, too many connections
		}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR:
			return true
		}
	}
	return false
}

func isFull(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "53100" {
		return true
	}
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_FULL
}

// isForeignKey reports a foreign key violation: the parent project does not exist.
func isForeignKey(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23503" {
		return true
	}
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}
