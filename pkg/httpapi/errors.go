package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/simvid"
)

// statusOf maps an error code to its HTTP status. It is the only such mapping.
func statusOf(code string) int {
	switch code {
	case simvid.EInvalid:
		return http.StatusBadRequest
	case simvid.ENotFound:
		return http.StatusNotFound
	case simvid.EConflict:
		return http.StatusConflict
	case simvid.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case simvid.EUnsupported:
		return http.StatusUnsupportedMediaType
	case simvid.EUnprocessable:
		return http.StatusUnprocessableEntity
	case simvid.ERateLimited:
		return http.StatusTooManyRequests
	case simvid.EUnavailable:
		return http.StatusServiceUnavailable
	case simvid.EStorageFull:
		return http.StatusInsufficientStorage
	case simvid.EUnauthorized, simvid.ELoginRequired:
		return http.StatusUnauthorized
	case simvid.EQuota:
		return http.StatusTooManyRequests
	case simvid.EIdempotency:
		return http.StatusUnprocessableEntity
	case simvid.EInProgress:
		return http.StatusConflict
	case simvid.ENotImplemented:
		return http.StatusNotImplemented
	}
	return http.StatusInternalServerError
}

// codeOfStatus is the reverse, for errors echo raises itself (unknown route, body too large).
func codeOfStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return simvid.EInvalid
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return simvid.ENotFound
	case http.StatusRequestEntityTooLarge:
		return simvid.ETooLarge
	case http.StatusUnsupportedMediaType:
		return simvid.EUnsupported
	case http.StatusTooManyRequests:
		return simvid.ERateLimited
	case http.StatusServiceUnavailable:
		return simvid.EUnavailable
	}
	return simvid.EInternal
}

// asCoded turns any error into a coded one: echo's own errors keep their status, anything
// uncoded is internal and its cause is logged, never shown.
func asCoded(err error) *simvid.Error {
	var ce *simvid.Error
	if errors.As(err, &ce) {
		return ce
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := http.StatusText(he.Code)
		switch he.Code {
		case http.StatusNotFound:
			msg = "no such route"
		case http.StatusMethodNotAllowed:
			msg = "method not allowed on this route"
		case http.StatusRequestEntityTooLarge:
			msg = "the request body is too large"
		}
		return &simvid.Error{Code: codeOfStatus(he.Code), Message: msg, Err: err}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &simvid.Error{Code: simvid.ETooLarge, Message: "the request body is too large", Err: err}
	}
	return &simvid.Error{Code: simvid.EInternal, Message: "internal error", Err: err}
}

// errorBody is the JSON every /api route answers an error with.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func newErrorBody(e *simvid.Error) errorBody {
	var b errorBody
	b.Error.Code, b.Error.Message = e.Code, e.Message
	if e.Code == simvid.EInternal {
		b.Error.Message = "internal error"
	}
	return b
}

// errorHandler answers every error as JSON (in the origin's shape on its routes) and logs
// only the server's own faults.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	e := asCoded(err)
	status := statusOf(e.Code)
	if status >= 500 && e.Code != simvid.EUnavailable {
		s.log.Error("request failed", zap.String("request_id", requestID(c)), zap.String("path", c.Path()), zap.Error(err))
	} else if status >= 500 {
		s.log.Warn("dependency unavailable", zap.String("request_id", requestID(c)), zap.Error(err))
	}
	var body any = newErrorBody(e)
	if isOriginRoute(c.Request().URL.Path) {
		msg := e.Message
		if e.Code == simvid.EInternal {
			msg = "internal error"
		}
		body = map[string]any{"success": false, "error": msg}
	}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else {
		err = c.JSON(status, body)
	}
	if err != nil {
		s.log.Debug("writing error response", zap.Error(err))
	}
}

func isOriginRoute(path string) bool {
	for _, p := range []string{"/upload_images", "/upload_audio", "/generate_video", "/job_status/", "/download/", "/progress/", "/download_youtube"} {
		if path == p || (strings.HasSuffix(p, "/") && strings.HasPrefix(path, p)) {
			return true
		}
	}
	return false
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}
