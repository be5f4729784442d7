package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/minio/minio-go/v7"
)

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
	obj, oi, err := b.getObject(ctx, key, name, opts)
	if err != nil {
		return nil, Info{}, err
	}
	info := b.info(oi)
	if total, ok := rangeTotal(oi.Headers.Get("Content-Range")); ok {
		info.Size = total
	}
	return &countingReader{ReadCloser: obj, n: &b.down}, info, nil
}

// OpenSeeker opens key for reading anywhere in it: each Seek costs one ranged request, so
// http.ServeContent can answer Range requests from the store without a local copy.
func (b *Bucket) OpenSeeker(ctx context.Context, key string) (io.ReadSeekCloser, Info, error) {
	name, err := b.object(key)
	if err != nil {
		return nil, Info{}, err
	}
	obj, oi, err := b.getObject(ctx, key, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, Info{}, err
	}
	return &countingSeeker{Object: obj, n: &b.down}, b.info(oi), nil
}

// getObject opens object name (key's) and stats it, so a missing object fails here, not at
// the first read.
func (b *Bucket) getObject(ctx context.Context, key, name string, opts minio.GetObjectOptions) (*minio.Object, minio.ObjectInfo, error) {
	obj, err := b.c.GetObject(ctx, b.cfg.Bucket, name, opts)
	if err != nil {
		return nil, minio.ObjectInfo{}, b.fail("open", key, err)
	}
	oi, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, minio.ObjectInfo{}, b.fail("open", key, err)
	}
	return obj, oi, nil
}

// countingSeeker is countingReader for a seekable object.
type countingSeeker struct {
	*minio.Object
	n *atomic.Int64
}

func (r *countingSeeker) Read(p []byte) (int, error) {
	n, err := r.Object.Read(p)
	r.n.Add(int64(n))
	return n, err
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

// Exists says whether key has an object.
func (b *Bucket) Exists(ctx context.Context, key string) (bool, error) {
	_, err := b.Stat(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
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
