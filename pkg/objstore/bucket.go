package objstore

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"go.uber.org/zap"
)

// ErrNotFound is what every method returns (wrapped) for a key with no object.
var ErrNotFound = errors.New("objstore: no such object")

// partSize bounds what an upload of unknown length buffers in memory: the client's own
// default for that case is sized for 5 TiB objects (over 500 MiB a part).
const partSize = 16 << 20

// maxSinglePut is S3's limit on one PUT.
const maxSinglePut = 5 << 30

// Info describes one object; Key is relative to the bucket's prefix.
type Info struct {
	Key         string
	Size        int64
	ETag        string
	ContentType string
	Modified    time.Time
}

// Bucket is the prefix of one bucket that simvid owns. Objects are private: nothing here
// sets an ACL, so they are readable only with the credentials or a presigned URL.
type Bucket struct {
	c   *minio.Client
	cfg Config
	log *zap.Logger

	up, down atomic.Int64
}

// Open makes a client for cfg (credentials from the AWS_* environment when cfg has none).
// It does not contact the store: Probe does.
func Open(ctx context.Context, cfg Config, log *zap.Logger) (*Bucket, error) {
	if cfg.Bucket == "" || cfg.Endpoint == "" {
		return nil, errors.New("objstore: no bucket or endpoint (use Parse)")
	}
	cfg = cfg.WithEnvCredentials()
	var creds *credentials.Credentials
	switch {
	case cfg.AccessKey != "" && cfg.SecretKey != "":
		creds = credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken)
	case cfg.AccessKey != "" || cfg.SecretKey != "":
		return nil, errors.New("objstore: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together")
	case isAWS(cfg.Endpoint):
		// On AWS a machine may carry a role instead of keys.
		creds = credentials.NewIAM("")
	default:
		return nil, fmt.Errorf("objstore: no credentials for %s: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", cfg.Endpoint)
	}
	lookup := minio.BucketLookupDNS
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{Creds: creds, Secure: cfg.Secure, Region: cfg.Region, BucketLookup: lookup})
	if err != nil {
		return nil, fmt.Errorf("objstore: client for %s: %w", cfg.Endpoint, err)
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Bucket{c: c, cfg: cfg, log: log.With(zap.String("bucket", cfg.Bucket))}, nil
}

// Config is the configuration the bucket was opened with, credentials included.
func (b *Bucket) Config() Config { return b.cfg }

// Stats is the number of object bytes uploaded and downloaded since Open.
func (b *Bucket) Stats() (up, down int64) { return b.up.Load(), b.down.Load() }

// object is the full object name of key, after checking key.
func (b *Bucket) object(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", fmt.Errorf("objstore: key %q: %w", key, err)
	}
	return b.cfg.Prefix + key, nil
}
