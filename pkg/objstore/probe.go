package objstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
)

// probePrefix holds the probe objects, apart from simvid's own keys.
const probePrefix = "_probe/"

// Probe writes a small object, reads it back and deletes it; its error says in words what
// is wrong: an unreachable endpoint, wrong credentials, a missing bucket, no permission.
func (b *Bucket) Probe(ctx context.Context) error {
	var r [12]byte
	_, _ = rand.Read(r[:])
	key := probePrefix + hex.EncodeToString(r[:])
	body := []byte("simvid storage probe " + key)
	q := &Bucket{c: b.quick, quick: b.quick, cfg: b.cfg, log: b.log} // not the data path's patience
	// The probe's bytes are moved like any others.
	defer func() {
		up, down := q.Stats()
		b.up.Add(up)
		b.down.Add(down)
	}()
	if err := q.Put(ctx, key, bytes.NewReader(body), int64(len(body)), "text/plain"); err != nil {
		return b.explain("write", err)
	}
	done := false
	defer func() {
		if !done { // a failed read must not leave the probe behind
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			defer cancel()
			_ = q.Delete(dctx, key)
		}
	}()
	rc, _, err := q.Open(ctx, key)
	if err != nil {
		return b.explain("read", err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return b.explain("read", err)
	}
	if !bytes.Equal(got, body) {
		return &ProbeError{Where: b.where(), Step: "read", Reason: "the object read back differs from what was written",
			Err: fmt.Errorf("read %d bytes, wrote %d", len(got), len(body))}
	}
	done = true
	if err := q.Delete(ctx, key); err != nil {
		return b.explain("delete", err)
	}
	return nil
}

func (b *Bucket) where() string {
	scheme := "http"
	if b.cfg.Secure {
		scheme = "https"
	}
	return fmt.Sprintf("bucket %q at %s://%s", b.cfg.Bucket, scheme, b.cfg.Endpoint)
}

// ProbeError is a failed Probe: which step failed, why in a few words a user can act on
// ("bad credentials: ...", "no such bucket: ...", "unreachable endpoint: ..."), and the
// store's own error.
type ProbeError struct {
	Where     string // bucket "b" at http://host:port
	Step      string // write | read | delete
	Reason    string // says neither where nor who: /readyz shows it
	AccessKey string // the key refused, when the credentials are the problem
	Err       error
}

func (e *ProbeError) Error() string {
	who := ""
	if e.AccessKey != "" {
		who = fmt.Sprintf(" with access key %q", e.AccessKey)
	}
	return fmt.Sprintf("storage %s: could not %s a probe object%s: %s: %v", e.Where, e.Step, who, e.Reason, e.Err)
}

func (e *ProbeError) Unwrap() error { return e.Err }

// explain turns a failed probe step into a sentence, keeping err for errors.Is.
func (b *Bucket) explain(step string, err error) error {
	code, status := s3Error(err)
	var why string
	switch {
	case code == "InvalidAccessKeyId" || code == "XAdminUserNotFound": // the latter: versitygw
		why = "bad credentials: the store does not know the access key (check AWS_ACCESS_KEY_ID)"
	case code == "SignatureDoesNotMatch":
		why = "bad credentials: the secret key is wrong for the access key (check AWS_SECRET_ACCESS_KEY)"
	case code == "ExpiredToken" || code == "InvalidToken" || code == "TokenRefreshRequired":
		why = "bad credentials: the session token is expired or invalid (check AWS_SESSION_TOKEN)"
	case code == "NoSuchBucket":
		why = fmt.Sprintf("no such bucket: %q does not exist on this endpoint (create it, or fix the bucket in storage.url)", b.cfg.Bucket)
	case code == "AccessDenied" || status == 403:
		why = fmt.Sprintf("no permission: the credentials may not %s objects in this bucket", step)
	case code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" || code == "IllegalLocationConstraintException":
		why = "wrong region: the bucket lives in another region (set region= in storage.url)"
	case errors.Is(err, context.DeadlineExceeded):
		why = "unreachable endpoint: no answer in time"
	case errors.Is(err, context.Canceled):
		why = "cancelled"
	case code == "" && minio.IsNetworkOrHostDown(err, false):
		why = "unreachable endpoint: cannot connect"
	case code != "":
		why = fmt.Sprintf("the store answered %s", code)
	default:
		why = "unexpected failure"
	}
	pe := &ProbeError{Where: b.where(), Step: step, Reason: why, Err: err}
	if strings.HasPrefix(why, "bad credentials") {
		pe.AccessKey = b.cfg.AccessKey
	}
	return pe
}
