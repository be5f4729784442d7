package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	c     *minio.Client // the data path's: rides out a restart of the store (rideOutRetries)
	quick *minio.Client // Probe's: the client's default retries, to say soon that the store is down
	cfg   Config
	log   *zap.Logger

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
	var clients [2]*minio.Client
	var err error
	for i, retries := range []int{rideOutRetries, 0} { // 0: the client's default
		clients[i], err = minio.New(cfg.Endpoint, &minio.Options{Creds: creds, Secure: cfg.Secure, Region: cfg.Region,
			BucketLookup: lookup, MaxRetries: retries})
		if err != nil {
			return nil, fmt.Errorf("objstore: client for %s: %w", cfg.Endpoint, err)
		}
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Bucket{c: clients[0], quick: clients[1], cfg: cfg, log: log.With(zap.String("bucket", cfg.Bucket))}, nil
}

// rideOutRetries is how many times the client sends a request again after a network error
// or a 5xx, sleeping a random time up to min(1 s, 200 ms * 2^n) before each: about 19 s in
// all, under 12 s about once in ten thousand (the client's default, 10, waits 2 to 8 s).
// A restart of the store then passes under a running render instead of failing its step
// and spending an attempt; a store down for longer fails the step as before.
const rideOutRetries = 40

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

// Put stores size bytes from r under key (size -1: unknown, uploaded in 16 MiB parts).
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	name, err := b.object(key)
	if err != nil {
		return err
	}
	info, err := b.c.PutObject(ctx, b.cfg.Bucket, name, r, size, b.putOptions(contentType))
	if err != nil {
		return b.fail("put", key, err)
	}
	b.up.Add(info.Size)
	return nil
}

// PutFile uploads the file at path under key, streaming it from disk.
func (b *Bucket) PutFile(ctx context.Context, key, path, contentType string) error {
	name, err := b.object(key)
	if err != nil {
		return err
	}
	info, err := b.c.FPutObject(ctx, b.cfg.Bucket, name, path, b.putOptions(contentType))
	if err != nil {
		return b.fail("put", key, err)
	}
	b.up.Add(info.Size)
	return nil
}

// PutFileOnce is PutFile for content-addressed keys, whose object never changes once
// written: it uploads only when no object is there, and says whether it did. A store that
// knows If-None-Match also refuses a second writer that raced past the check.
func (b *Bucket) PutFileOnce(ctx context.Context, key, path, contentType string) (bool, error) {
	if _, err := b.Stat(ctx, key); err == nil {
		return false, nil
	} else if !errors.Is(err, ErrNotFound) {
		return false, err
	}
	return b.putIfAbsent(ctx, key, path, contentType)
}

// putIfAbsent uploads with If-None-Match: *, treating a refusal as "already there".
func (b *Bucket) putIfAbsent(ctx context.Context, key, path, contentType string) (bool, error) {
	name, err := b.object(key)
	if err != nil {
		return false, err
	}
	opts := b.putOptions(contentType)
	opts.SetMatchETagExcept("*")
	// Stores honour If-None-Match on a single PUT; on a multipart upload's completion some
	// (versitygw) ignore it. So one PUT up to S3's single-PUT limit, streamed from the file.
	if fi, err := os.Stat(path); err == nil && fi.Size() <= maxSinglePut {
		opts.DisableMultipart = true
	}
	info, err := b.c.FPutObject(ctx, b.cfg.Bucket, name, path, opts)
	if err != nil {
		code, status := s3Error(err)
		switch {
		case status == http.StatusPreconditionFailed || code == "PreconditionFailed" || code == "ConditionalRequestConflict":
			return false, nil // another writer got there first, with the same content
		case status == http.StatusNotImplemented:
			// A store without conditional writes: the Stat above is the check.
			if info, err = b.c.FPutObject(ctx, b.cfg.Bucket, name, path, b.putOptions(contentType)); err != nil {
				return false, b.fail("put", key, err)
			}
		default:
			return false, b.fail("put", key, err)
		}
	}
	b.up.Add(info.Size)
	return true, nil
}

func (b *Bucket) putOptions(contentType string) minio.PutObjectOptions {
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	return minio.PutObjectOptions{ContentType: contentType, PartSize: partSize}
}

// Get downloads key to dstPath through a temporary file beside it, renamed into place when
// complete: a reader of dstPath sees the whole file or none.
func (b *Bucket) Get(ctx context.Context, key, dstPath string) error {
	name, err := b.object(key)
	if err != nil {
		return err
	}
	dir := filepath.Dir(dstPath)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("objstore: get %s: %w", key, err)
	}
	obj, err := b.c.GetObject(ctx, b.cfg.Bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return b.fail("get", key, err)
	}
	defer obj.Close()
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dstPath)+".part-*")
	if err != nil {
		return fmt.Errorf("objstore: get %s: %w", key, err)
	}
	n, err := io.Copy(tmp, obj)
	b.down.Add(n)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dstPath)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return b.fail("get", key, err)
	}
	return nil
}

// Open reads the whole object; the caller closes the reader.
func (b *Bucket) Open(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	return b.OpenRange(ctx, key, 0, -1)
}

// OpenRange reads length bytes from offset (length -1: to the end). Info.Size is the
// whole object's size.
func (b *Bucket) OpenRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, Info, error) {
	name, err := b.object(key)
	if err != nil {
		return nil, Info{}, err
	}
	var opts minio.GetObjectOptions
	switch {
	case offset < 0 || length < -1 || length == 0:
		return nil, Info{}, fmt.Errorf("objstore: open %s: bad range offset %d length %d", key, offset, length)
	case length > 0:
		err = opts.SetRange(offset, offset+length-1)
	case offset > 0:
		err = opts.SetRange(offset, 0)
	}
	if err != nil {
		return nil, Info{}, fmt.Errorf("objstore: open %s: %w", key, err)
	}
	obj, err := b.c.GetObject(ctx, b.cfg.Bucket, name, opts)
	if err != nil {
		return nil, Info{}, b.fail("open", key, err)
	}
	oi, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, Info{}, b.fail("open", key, err)
	}
	info := b.info(oi)
	if total, ok := rangeTotal(oi.Headers.Get("Content-Range")); ok {
		info.Size = total
	}
	return &countingReader{ReadCloser: obj, n: &b.down}, info, nil
}

// rangeTotal reads the total size from "bytes 0-9/1234".
func rangeTotal(cr string) (int64, bool) {
	i := strings.LastIndexByte(cr, '/')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(cr[i+1:], 10, 64)
	return n, err == nil
}

// Stat describes key's object, or returns ErrNotFound.
func (b *Bucket) Stat(ctx context.Context, key string) (Info, error) {
	name, err := b.object(key)
	if err != nil {
		return Info{}, err
	}
	oi, err := b.c.StatObject(ctx, b.cfg.Bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, b.fail("stat", key, err)
	}
	return b.info(oi), nil
}

// Delete removes key's object; a key with no object is not an error.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	name, err := b.object(key)
	if err != nil {
		return err
	}
	if err := b.c.RemoveObject(ctx, b.cfg.Bucket, name, minio.RemoveObjectOptions{}); err != nil {
		if isNotFound(err) {
			return nil
		}
		return b.fail("delete", key, err)
	}
	return nil
}

// List calls fn for every object whose key starts with prefix ("" lists all), in key
// order; an error from fn stops the listing and is returned.
func (b *Bucket) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if err := checkPrefix(prefix); err != nil {
		return fmt.Errorf("objstore: list prefix %q: %w", prefix, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the client's listing goroutine when fn stops early
	for oi := range b.c.ListObjects(ctx, b.cfg.Bucket, minio.ListObjectsOptions{Prefix: b.cfg.Prefix + prefix, Recursive: true}) {
		if oi.Err != nil {
			return b.fail("list", prefix, oi.Err)
		}
		if err := fn(b.info(oi)); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// DeletePrefix removes every object under prefix and returns how many it removed. An empty
// prefix is refused: removing everything is never one call's accident.
func (b *Bucket) DeletePrefix(ctx context.Context, prefix string) (int, error) {
	if prefix == "" {
		return 0, errors.New("objstore: delete prefix: empty prefix (would remove everything)")
	}
	if err := checkPrefix(prefix); err != nil {
		return 0, fmt.Errorf("objstore: delete prefix %q: %w", prefix, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	objects := make(chan minio.ObjectInfo)
	listErr := make(chan error, 1)
	sent := 0 // read only after listErr delivers
	go func() {
		defer close(objects)
		listErr <- b.List(ctx, prefix, func(i Info) error {
			select {
			case objects <- minio.ObjectInfo{Key: b.cfg.Prefix + i.Key}:
				sent++
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	var failed error
	missing := 0
	// RemoveObjects reports failures only: what was listed and not reported is gone.
	for e := range b.c.RemoveObjects(ctx, b.cfg.Bucket, objects, minio.RemoveObjectsOptions{}) {
		switch {
		case e.Err == nil:
		case isNotFound(e.Err):
			missing++ // removed by someone else meanwhile
		case failed == nil:
			failed = b.fail("delete", strings.TrimPrefix(e.ObjectName, b.cfg.Prefix), e.Err)
		}
	}
	if err := <-listErr; err != nil && failed == nil {
		failed = err
	}
	if failed != nil {
		return 0, failed
	}
	return sent - missing, nil
}

func (b *Bucket) info(oi minio.ObjectInfo) Info {
	return Info{Key: strings.TrimPrefix(oi.Key, b.cfg.Prefix), Size: oi.Size, ETag: oi.ETag,
		ContentType: oi.ContentType, Modified: oi.LastModified}
}

// countingReader adds what the caller reads to the bucket's download counter.
type countingReader struct {
	io.ReadCloser
	n *atomic.Int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	r.n.Add(int64(n))
	return n, err
}
