package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/render"
)

// StillPath, SegmentPath and AudioPath are where the cache keeps a key's file.
func (e *Engine) StillPath(key string) string {
	return filepath.Join(e.cache, "stills", key+"."+render.StillExt)
}

func (e *Engine) SegmentPath(key string) string {
	return filepath.Join(e.cache, "segments", key+"."+render.SegmentExt)
}

func (e *Engine) AudioPath(key string) string {
	return filepath.Join(e.cache, "audio", key+"."+render.AudioExt)
}

// AudioPiecePath is where a piece of a music track is cached (render.AudioPiece), apart
// from the tracks.
func (e *Engine) AudioPiecePath(key string) string {
	return filepath.Join(e.cache, "audio", "pieces", key+"."+render.AudioExt)
}

// PosterPath is where the poster JPEG of a plan's first still at its size is cached.
func (e *Engine) PosterPath(key string) string {
	return filepath.Join(e.cache, "posters", key+".jpg")
}

// produce makes final unless it exists: build writes a temp file in the same directory, which
// is renamed into place only when build succeeded. Only a rename makes a final name appear,
// so an existing file is always whole; two workers racing both write and one rename wins.
// Over a store, an entry another host made is fetched, and one made here is published before
// produce returns: a step reported done is in the store for every other host.
func (e *Engine) produce(ctx context.Context, final string, build func(tmp string) error) (existed bool, err error) {
	if e.shared == nil {
		return produceLocal(final, build)
	}
	found, err := e.shared.Fetch(ctx, final) // a local hit is touched, as below
	if err != nil {
		return false, fmt.Errorf("engine: %w", err)
	}
	if found {
		return true, nil
	}
	// build fetches its inputs again, writeAtomic makes the directory again.
	if err := e.again(ctx, filepath.Base(final), func() error { return writeAtomic(final, build) }); err != nil {
		return false, err
	}
	if err := e.publish(ctx, final); err != nil {
		// Not kept here either: a retry finds it missing and publishes it, where a local hit
		// would leave the other hosts without it.
		_ = os.Remove(final)
		return false, err
	}
	return false, nil
}

// again runs step, and once more if it failed because a file it used vanished: over a store
// the data directory is a cache that may be emptied under a running step (trimmed, or removed
// by an operator), and what it lost is in the store. A step fetches its inputs when they are
// missing, so the second run finds them.
func (e *Engine) again(ctx context.Context, what string, step func() error) error {
	err := step()
	if err != nil && e.shared != nil && ctx.Err() == nil && lostFile(err) {
		e.log.Warn("a file of a step went missing from the cache; running it again", zap.String("step", what), zap.Error(err))
		err = step()
	}
	return err
}

// lostFile reports whether a step failed because a file it used vanished: a Go error for a
// missing file, or ffmpeg saying so of an input or its output.
func lostFile(err error) bool {
	var re *ffmpeg.RunError
	return errors.Is(err, fs.ErrNotExist) || errors.As(err, &re) && strings.Contains(re.Stderr, "No such file or directory")
}

// produceLocal is produce in this host's cache alone: for files made again from what a
// step has at hand (a caption's text), never worth a round trip to a store.
func produceLocal(final string, build func(tmp string) error) (existed bool, err error) {
	if _, err := os.Stat(final); err == nil {
		now := time.Now()
		_ = os.Chtimes(final, now, now) // the cache trims least recently used first
		return true, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("engine: %w", err)
	}
	return false, writeAtomic(final, build)
}

// publish puts a cache entry made here in the store (none: nothing to do).
func (e *Engine) publish(ctx context.Context, paths ...string) error {
	if e.shared == nil {
		return nil
	}
	for _, p := range paths {
		if err := e.shared.PublishOnce(ctx, p); err != nil {
			return fmt.Errorf("engine: %w", err)
		}
	}
	return nil
}

// local makes sure a file a step reads is here: over a store it is fetched when missing.
// A file neither here nor in the store is an error for which errors.Is(err, fs.ErrNotExist).
func (e *Engine) local(ctx context.Context, path string) error {
	if path == "" {
		return fs.ErrNotExist
	}
	_, err := os.Stat(path)
	if err == nil || e.shared == nil || !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	found, err := e.shared.Fetch(ctx, path)
	if err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	if !found {
		return fmt.Errorf("engine: %s: %w", filepath.Base(path), fs.ErrNotExist)
	}
	return nil
}

// Stored reports whether a cache entry is here or, over a store, in it (not downloading it).
func (e *Engine) Stored(ctx context.Context, path string) bool {
	if _, err := os.Stat(path); err == nil {
		return true
	}
	if e.shared == nil {
		return false
	}
	ok, err := e.shared.Stored(ctx, path)
	return err == nil && ok
}

// tempName is a hidden name next to final, unique to this attempt.
func tempName(final string) string {
	return filepath.Join(filepath.Dir(final), "."+filepath.Base(final)+".tmp-"+uniqueHex())
}

// tmpPath is a file in the engine's temp folder named prefix, a random part and ext.
func (e *Engine) tmpPath(prefix, ext string) string {
	return filepath.Join(e.tmp, prefix+uniqueHex()+ext)
}

// uniqueHex is 12 random hex digits: a name part no other attempt picks.
func uniqueHex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
