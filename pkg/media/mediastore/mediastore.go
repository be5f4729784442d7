// Package mediastore puts media.Files on an S3 bucket: it adapts an objstore.Bucket to
// media.Remote, so that pkg/media stays free of any S3 client.
package mediastore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"time"

	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/objstore"
)

// Remote is a media.Remote over a bucket.
type Remote struct{ b *objstore.Bucket }

var _ media.Remote = Remote{}

// New returns b as a media.Remote.
func New(b *objstore.Bucket) Remote { return Remote{b: b} }

// contentTypes gives the objects the type a presigned download serves them with.
var contentTypes = map[string]string{
	".mp4": "video/mp4", ".jpg": "image/jpeg", ".flac": "audio/flac", ".m4a": "audio/mp4",
}

func contentType(key string) string { return contentTypes[path.Ext(key)] } // "": octet-stream

// notExist lets media see a missing object as fs.ErrNotExist.
func notExist(err error) error {
	if errors.Is(err, objstore.ErrNotFound) {
		return fmt.Errorf("%w (%w)", fs.ErrNotExist, err)
	}
	return err
}

func (r Remote) PutFile(ctx context.Context, key, p string) error {
	return r.b.PutFile(ctx, key, p, contentType(key))
}

func (r Remote) PutFileOnce(ctx context.Context, key, p string) error {
	_, err := r.b.PutFileOnce(ctx, key, p, contentType(key))
	return err
}

func (r Remote) Get(ctx context.Context, key, dst string) error {
	return notExist(r.b.Get(ctx, key, dst))
}

func (r Remote) Exists(ctx context.Context, key string) (bool, error) {
	_, err := r.b.Stat(ctx, key)
	if errors.Is(err, objstore.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (r Remote) Delete(ctx context.Context, key string) error { return r.b.Delete(ctx, key) }

func (r Remote) List(ctx context.Context, prefix string, fn func(media.Object) error) error {
	return r.b.List(ctx, prefix, func(i objstore.Info) error {
		return fn(media.Object{Key: i.Key, Size: i.Size, Modified: i.Modified})
	})
}

// DeletePrefix lists the prefix first for the bytes it frees: the bucket's delete counts
// objects only.
func (r Remote) DeletePrefix(ctx context.Context, prefix string) (int64, error) {
	var n int64
	if err := r.b.List(ctx, prefix, func(i objstore.Info) error { n += i.Size; return nil }); err != nil {
		return 0, err
	}
	if _, err := r.b.DeletePrefix(ctx, prefix); err != nil {
		return 0, err
	}
	return n, nil
}

func (r Remote) Open(ctx context.Context, key string) (io.ReadSeekCloser, media.Object, error) {
	rc, info, err := r.b.OpenSeeker(ctx, key)
	if err != nil {
		return nil, media.Object{}, notExist(err)
	}
	return rc, media.Object{Key: key, Size: info.Size, Modified: info.Modified}, nil
}

func (r Remote) Link(ctx context.Context, key string, ttl time.Duration, downloadName string) (string, error) {
	return r.b.PresignGet(ctx, key, ttl, downloadName)
}
