package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gomodule/redigo/redis"
	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/simvid"
)

// Idempotency-Key: the first answer to a POST carrying a key is kept for idempotencyTTL; a
// retry with the same key (from the same client, see idempotencyScope) gets that answer
// again and does nothing.
const (
	headerIdempotencyKey = "Idempotency-Key"
	headerReplayed       = "Idempotent-Replayed"
	idempotencyTTL       = 24 * time.Hour
	idempotencyPending   = 5 * time.Minute // a first request that never finished frees its key after this
)

type storedAnswer struct {
	Fingerprint string `json:"fp"`
	Done        bool   `json:"done"`
	Status      int    `json:"status,omitempty"`
	ContentType string `json:"ctype,omitempty"`
	Location    string `json:"location,omitempty"`
	Body        []byte `json:"body,omitempty"`
}

// idempotent must come after the body limit in a route's middleware. A JSON body is part of
// the request's fingerprint; an upload's is not (its multipart boundary changes on every
// retry), so for uploads the key alone decides.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		ik := req.Header.Get(headerIdempotencyKey)
		if ik == "" || s.Pool == nil {
			return next(c)
		}
		if len(ik) > 255 {
			return simvid.Errorf(simvid.EInvalid, "Idempotency-Key: at most 255 characters")
		}
		fp := sha256.New()
		fp.Write([]byte(req.Method + " " + c.Path() + " " + c.Param("id") + "\n"))
		var body []byte
		if !strings.HasPrefix(req.Header.Get(echo.HeaderContentType), "multipart/") {
			var err error
			if body, err = io.ReadAll(req.Body); err != nil {
				return err
			}
			fp.Write(body)
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		print := hex.EncodeToString(fp.Sum(nil))
		scope, err := idempotencyScope(c, body, print)
		if err != nil {
			return err
		}
		sum := sha256.Sum256([]byte(scope + "\n" + ik))
		rkey := "simvid:idem:" + hex.EncodeToString(sum[:])

		conn, err := s.Pool.GetContext(req.Context())
		if err != nil {
			return simvid.Wrap(simvid.EUnavailable, err, "the service cannot keep idempotency keys right now; try again")
		}
		defer conn.Close()
		pending, _ := json.Marshal(storedAnswer{Fingerprint: print})
		set, err := conn.Do("SET", rkey, pending, "NX", "PX", idempotencyPending.Milliseconds())
		if err != nil {
			return simvid.Wrap(simvid.EUnavailable, err, "the service cannot keep idempotency keys right now; try again")
		}
		if set == nil {
			return replay(c, conn, rkey, print)
		}
		rec := &recorder{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rec
		if err := next(c); err != nil {
			c.Error(err) // written now, through rec, so the answer can be kept
		}
		status := c.Response().Status
		if status >= 500 || status == http.StatusTooManyRequests {
			_, _ = conn.Do("DEL", rkey) // not an answer to keep: a retry may do better
			return nil
		}
		done, _ := json.Marshal(storedAnswer{Fingerprint: print, Done: true, Status: status,
			ContentType: c.Response().Header().Get(echo.HeaderContentType),
			Location:    c.Response().Header().Get(echo.HeaderLocation), Body: rec.body.Bytes()})
		_, _ = conn.Do("SET", rkey, done, "PX", idempotencyTTL.Milliseconds())
		return nil
	}
}

// idempotencyScope is whose answers a key is looked up among. An API key's answers are the
// key's. An anonymous client has no name: clients behind one NAT share an IP, and keys such
// as "order-1234" are guessable, so an answer kept per IP and key would reach a neighbour.
// An anonymous answer is therefore kept per IP, key and request (print): another request
// with the same key is a request of its own, never a replay. The same request from a
// neighbour still gets the answer, so it is kept only where the request names a project or
// render (its id in the route, or project_id in the body): that answer is about something
// the neighbour already holds the id of. A request that names none (making a project, or a
// render of links only) would hand its new ids to whoever sends the same bytes: anonymous
// keys are refused there.
func idempotencyScope(c echo.Context, body []byte, print string) (string, error) {
	if k := keyOf(c); k != nil {
		return "key:" + k.ID, nil
	}
	named := c.Param("id") != ""
	if !named && len(body) > 0 {
		var in struct {
			ProjectID string `json:"project_id"`
		}
		named = json.Unmarshal(body, &in) == nil && simvid.ValidID(simvid.PrefixProject, in.ProjectID)
	}
	if !named {
		return "", simvid.Errorf(simvid.EInvalid, "Idempotency-Key: without an API key it is only taken on requests that name a project; "+
			"here anyone sending the same request from your network could get your answer. Send an API key, or leave the header out")
	}
	return "ip:" + c.RealIP() + "\n" + print, nil
}

func replay(c echo.Context, conn redis.Conn, rkey, print string) error {
	raw, err := redis.Bytes(conn.Do("GET", rkey))
	var a storedAnswer
	if err != nil || json.Unmarshal(raw, &a) != nil {
		return simvid.Errorf(simvid.EInProgress, "a request with this Idempotency-Key is being handled; retry in a second")
	}
	if a.Fingerprint != print {
		return simvid.Errorf(simvid.EIdempotency, "this Idempotency-Key was used with a different request; use a new key for a new request")
	}
	if !a.Done {
		c.Response().Header().Set("Retry-After", "1")
		return simvid.Errorf(simvid.EInProgress, "a request with this Idempotency-Key is being handled; retry in a second")
	}
	h := c.Response().Header()
	h.Set(headerReplayed, "true")
	if a.Location != "" {
		h.Set(echo.HeaderLocation, a.Location)
	}
	ctype := a.ContentType
	if ctype == "" {
		ctype = echo.MIMEApplicationJSON
	}
	if a.Status == http.StatusNoContent {
		return c.NoContent(a.Status)
	}
	return c.Blob(a.Status, ctype, a.Body)
}

// recorder keeps a copy of what the handler writes.
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.body.Len() < 1<<20 {
		r.body.Write(b)
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
