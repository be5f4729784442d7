package objstore

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"

	"github.com/minio/minio-go/v7"
)

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
