package objstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/minio/minio-go/v7"
)

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
