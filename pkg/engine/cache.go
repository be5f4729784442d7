package engine

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

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
func produce(final string, build func(tmp string) error) (existed bool, err error) {
	if _, err := os.Stat(final); err == nil {
		now := time.Now()
		_ = os.Chtimes(final, now, now) // the cache trims least recently used first
		return true, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("engine: %w", err)
	}
	return false, writeAtomic(final, build)
}

// tempName is a hidden name next to final, unique to this attempt.
func tempName(final string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return filepath.Join(filepath.Dir(final), "."+filepath.Base(final)+".tmp-"+hex.EncodeToString(b[:]))
}
