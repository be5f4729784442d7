package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"syscall"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/semaphore"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/simvid"
)

// Limits bound one upload. Zero means no limit (ProbeTimeout: no timeout of its own).
type Limits struct {
	FileBytes    int64         // bytes per file
	ImagePixels  int64         // width*height, checked on the header before any decode
	AudioSeconds float64       // length of music
	ProbeTimeout time.Duration // per ffprobe run (music; a picture is not probed)
	Decodes      int           // ffmpeg and ffprobe runs at once by this Intake, across all uploads (0 = one per CPU)
	// DecodePixels is how many pixels of a picture one of the Decodes turns stands for: a
	// larger picture takes ceil(pixels/DecodePixels) turns, all of them at most, so that two
	// large pictures are never decoded together while small ones still are (0 = one turn each).
	DecodePixels int64
	// MinFreeDisk is what a received file must leave free on the data directory's disk: the
	// file is refused as it streams in, before it writes past that (0: no check).
	MinFreeDisk uint64
	// A video clip's limits: bytes (0: FileBytes), length, pixels a frame (checked on the
	// header, before any decode) and frames a second.
	ClipBytes   int64
	ClipSeconds float64
	ClipPixels  int64
	ClipFPS     float64
}

// thumbnailTimeout bounds one thumbnail: a 60-megapixel picture takes a second or two.
const thumbnailTimeout = time.Minute

// Intake checks uploads and puts them in the Files. It is safe for concurrent use; its only
// state bounds the tools it runs at once, so that many uploads together cannot take more
// memory than Limits.Decodes turns need. It never touches the database: callers record
// the Asset.
type Intake struct {
	ff      *ffmpeg.Runner
	st      *Files
	lim     Limits
	log     *zap.Logger
	turns   int64 // Limits.Decodes resolved
	decodes *semaphore.Weighted
}

// NewIntake returns an Intake using ff for probes and conversions.
func NewIntake(ff *ffmpeg.Runner, st *Files, lim Limits, log *zap.Logger) *Intake {
	n := lim.Decodes
	if n <= 0 {
		n = runtime.NumCPU()
	}
	return &Intake{ff: ff, st: st, lim: lim, log: log, turns: int64(n), decodes: semaphore.NewWeighted(int64(n))}
}

// turnsFor is how many of the Decodes turns a tool run over a picture of px pixels takes (px
// 0: not a picture, one turn). Every ffmpeg or ffprobe costs about 47 MB of resident memory
// before it reads a byte (its shared libraries); a picture's decode adds 2 to 10 bytes a
// stored pixel (a PNG's RGBA frame, a progressive JPEG's coefficients, the filters' frames),
// so the pictures' pixels are what must not add up. The semaphore is FIFO: a large picture
// waiting for every turn holds back the small ones behind it, and is not starved by them.
func (in *Intake) turnsFor(px int64) int64 {
	if in.lim.DecodePixels <= 0 || px <= in.lim.DecodePixels {
		return 1
	}
	return min(in.turns, (px+in.lim.DecodePixels-1)/in.lim.DecodePixels)
}

// acquire waits for the turns a tool run over px pixels takes and returns their release.
func (in *Intake) acquire(ctx context.Context, px int64) (release func(), err error) {
	n := in.turnsFor(px)
	if err := in.decodes.Acquire(ctx, n); err != nil {
		return nil, err
	}
	return func() { in.decodes.Release(n) }, nil
}

// upload is a received file in tmp/.
type upload struct {
	path   string
	size   int64
	sha    string
	head   []byte // first bytes, for sniffing
	placed bool   // moved into place: the temp name may now belong to someone else's file
}

// cleanup removes the temp file unless it was placed.
func (u *upload) cleanup() {
	if !u.placed {
		_ = os.Remove(u.path)
	}
}

// receive streams r into a temp file while hashing and counting; over FileBytes, or when the
// disk would keep less than MinFreeDisk free, it stops reading at once. On error nothing is
// left behind.
func (in *Intake) receive(name string, r io.Reader) (*upload, error) {
	return in.receiveUpTo(name, r, in.lim.FileBytes)
}

// receiveUpTo is receive with limit bytes (0: none) instead of FileBytes.
func (in *Intake) receiveUpTo(name string, r io.Reader, limit int64) (_ *upload, err error) {
	f, err := in.st.CreateTemp("upload-*")
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("media: close upload: %w", cerr)
		}
		if err != nil {
			_ = os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	src := r
	if limit > 0 {
		src = io.LimitReader(r, limit+1)
	}
	n, err := io.Copy(io.MultiWriter(in.st.SpaceWriter(f, in.lim.MinFreeDisk), h), src)
	if err != nil {
		if errors.Is(err, syscall.ENOSPC) {
			return nil, simvid.Wrap(simvid.EStorageFull, err, "the server is out of disk space; please try again later")
		}
		return nil, fmt.Errorf("media: receive %s: %w", name, err)
	}
	if limit > 0 && n > limit {
		what := ""
		if limit > in.lim.FileBytes {
			what = " for video clips"
		}
		return nil, simvid.Errorf(simvid.ETooLarge, "%s is larger than the %s limit%s", name, humanBytes(limit), what)
	}
	if n == 0 {
		return nil, simvid.Errorf(simvid.EUnprocessable, "%s is empty", name)
	}
	head := make([]byte, min(n, 512))
	if _, err := f.ReadAt(head, 0); err != nil {
		return nil, fmt.Errorf("media: read back %s: %w", name, err)
	}
	return &upload{path: f.Name(), size: n, sha: hex.EncodeToString(h.Sum(nil)), head: head}, nil
}

// probe runs ffprobe under the probe timeout, reading the file as format (sniffed) and
// nothing else; what ("sound") completes the message when the file cannot be read.
func (in *Intake) probe(ctx context.Context, format, path, name, what string) (*ffmpeg.Probe, error) {
	// A probe is a child like a decode, and about as large in memory: it takes a turn, so
	// that music uploaded beside pictures adds no process to the ones Decodes allows.
	release, err := in.acquire(ctx, 0)
	if err != nil {
		return nil, err
	}
	p, err := in.ff.ProbeInput(ctx, format, path, in.lim.ProbeTimeout)
	release()
	if err == nil {
		return p, nil
	}
	return nil, in.toolError(ctx, err, "%s could not be read as %s", name, what)
}

// toolError turns a failed ffmpeg/ffprobe run into an error for people. A cancelled caller
// gets its context error back; a timeout of our own and a tool failure are the file's fault.
func (in *Intake) toolError(ctx context.Context, err error, format string, args ...any) error {
	if ctx.Err() != nil {
		return fmt.Errorf("media: %w", err)
	}
	msg := fmt.Sprintf(format, args...)
	var re *ffmpeg.RunError
	switch {
	case errors.As(err, &re):
		return simvid.Wrap(simvid.EUnprocessable, err, "%s: %s", msg, re.Message)
	case errors.Is(err, context.DeadlineExceeded):
		return simvid.Wrap(simvid.EUnprocessable, err, "%s: reading it took too long", msg)
	}
	return fmt.Errorf("media: %w", err)
}

// place commits temp files to their final paths, in order; if one fails, the ones already
// placed are removed again (here and in the store) so that nothing is left behind.
func (in *Intake) place(ctx context.Context, moves ...[2]string) error {
	for i, m := range moves {
		if err := in.st.Commit(ctx, m[0], m[1]); err != nil {
			for _, done := range moves[:i] {
				in.st.Uncommit(done[1])
			}
			return err
		}
	}
	return nil
}
