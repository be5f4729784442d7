// Package simvid holds the domain types shared by every other package: projects, assets,
// renders, the render spec and the coded Error. It imports no other pkg/ package.
package simvid

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in httpapi; the message is safe to show a user.
const (
	EInvalid        = "invalid"                 // 400: malformed request
	ENotFound       = "not_found"               // 404
	EConflict       = "conflict"                // 409: state does not allow it (render already running...)
	ETooLarge       = "too_large"               // 413: body, file or project over a limit
	EUnsupported    = "unsupported"             // 415: file type not accepted
	EUnprocessable  = "unprocessable"           // 422: well-formed but unusable (bad value, undecodable file)
	ERateLimited    = "rate_limited"            // 429
	EUnavailable    = "unavailable"             // 503: Redis or database down, shutting down
	EStorageFull    = "insufficient_storage"    // 507: disk nearly full
	EInternal       = "internal"                // 500: never shows its cause to the user
	EUnauthorized   = "unauthorized"            // 401: a bad API key, or none where one is needed
	ELoginRequired  = "login_required"          // 401: private mode; log in or send an API key
	EQuota          = "quota_exceeded"          // 429: an API key's renders-per-day or storage quota
	EIdempotency    = "idempotency_mismatch"    // 422: an Idempotency-Key reused with another request
	EInProgress     = "idempotency_in_progress" // 409: the first request with this key is still running
	ENotImplemented = "not_implemented"         // 501: a part of a request this server cannot do yet
)

// Error is an error with a code and a message meant for people. Err, when set, is the
// underlying cause: logged, never shown.
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds a coded error with a user-facing message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap builds a coded error that keeps cause for the logs.
func Wrap(code string, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: cause}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of err; an uncoded error gets a generic
// message so that no internal detail (paths, SQL, stack) ever reaches a user.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EInternal {
		return e.Message
	}
	return "internal error"
}

// IsCode reports whether err carries the given code.
func IsCode(err error, code string) bool { return err != nil && ErrorCode(err) == code }
