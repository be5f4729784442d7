package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/mp4"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// PrepareAudio makes the music track of exactly the video's length and returns its path. The
// track is joined from its pieces (render.AudioPiece), each cached on its own: an edit of the
// music re-encodes only the pieces whose samples it changes, and the pieces missing are
// encoded by up to procs ffmpeg at once (an AAC encoder uses one core; 0 = one per core):
// one while video is encoded alongside, every core when the music is all there is to make.
// Calls in this process for the same track share one making of it (a render that starts
// while the mix_music job of its edit runs waits for that job's pieces).
func (e *Engine) PrepareAudio(ctx context.Context, a *render.AudioPlan, workPath string, procs int) (string, error) {
	for {
		path, err, _ := e.audioFlight.Do(a.Key, func() (any, error) { return e.prepareAudio(ctx, a, workPath, procs) })
		if err != nil && ctx.Err() == nil && errors.Is(err, context.Canceled) {
			continue // the call this one shared was cancelled, not this one: make it again
		}
		p, _ := path.(string)
		return p, err
	}
}

func (e *Engine) prepareAudio(ctx context.Context, a *render.AudioPlan, workPath string, procs int) (string, error) {
	out := e.AudioPath(a.Key)
	start := time.Now()
	_, err := e.produce(ctx, out, func(tmp string) error {
		if a.Asset == "" { // only the clips' sounds
		} else if err := e.local(ctx, workPath); errors.Is(err, fs.ErrNotExist) {
			return simvid.Errorf(simvid.EInternal, "the music's working copy is missing on the server")
		} else if err != nil {
			return err
		}
		for _, c := range a.Clips {
			if err := e.local(ctx, sourceOf(ctx, c.Asset)); errors.Is(err, fs.ErrNotExist) {
				return simvid.Errorf(simvid.EInternal, "slide %d's clip file is missing on the server", c.Slide+1)
			} else if err != nil {
				return err
			}
		}
		if err := e.audioPieces(ctx, a, workPath, procs); err != nil {
			return err
		}
		pieces := make([]mp4.Piece, len(a.Pieces))
		for i, p := range a.Pieces {
			pieces[i] = mp4.Piece{Path: e.AudioPiecePath(p.Key), Skip: int(p.Skip), Take: int(p.Take)}
		}
		err := writeBuffered(tmp, func(w io.Writer) error {
			return mp4.JoinAudio(w, pieces, render.AACFrame, uint64(a.Samples()))
		})
		if err != nil {
			return fmt.Errorf("engine: joining the music's pieces: %w", err)
		}
		e.log.Debug("music track joined", zap.Int("pieces", len(pieces)), zap.Duration("took", time.Since(start)))
		return nil
	})
	return out, err
}

// maxPiecesPerRun bounds the pieces one ffmpeg encodes.
const maxPiecesPerRun = 12

// audioPieces encodes the pieces of the track that are not cached, touching those that are.
// Pieces another call of this process is encoding at the time are waited for, not encoded
// again (pieceClaims), and its own only after them: one AAC encoder at a time for them
// beside the video's encoders, not two.
func (e *Engine) audioPieces(ctx context.Context, a *render.AudioPlan, workPath string, procs int) error {
	now := time.Now()
	missing, err := e.missingPieces(ctx, a.Pieces, now)
	if err != nil {
		return err
	}
	mine, theirs, wait, release := e.pieces.claim(missing)
	defer release()
	// Claims among processes are taken while this call waits on nothing, and its own are
	// made before it waits on another process's: a call waiting while it holds a claim on a
	// piece not yet made could wait on a process that waits on it.
	var elsewhere []render.AudioPiece
	releaseAcross := func() {}
	defer func() { releaseAcross() }()
	if len(wait) == 0 {
		mine, elsewhere, releaseAcross = e.claimAcross(ctx, mine)
	}
	if len(missing) == 0 {
		return nil
	}
	for _, ch := range wait {
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("engine: %w", ctx.Err())
		}
	}
	if len(theirs) > 0 { // in the cache now, unless their encoder failed: then made here
		if theirs, err = e.missingPieces(ctx, theirs, now); err != nil {
			return err
		}
	}
	if len(wait) > 0 {
		mine, elsewhere, releaseAcross = e.claimAcross(ctx, append(mine, theirs...))
		theirs = nil
	}
	encoded := len(mine) + len(theirs)
	if err := e.encodePieceRuns(ctx, a, append(mine, theirs...), workPath, procs); err != nil {
		return err
	}
	if len(elsewhere) > 0 { // the same, from another process
		left, err := e.awaitElsewhere(ctx, elsewhere, now)
		if err != nil {
			return err
		}
		if err := e.encodePieceRuns(ctx, a, left, workPath, procs); err != nil {
			return err
		}
		encoded += len(left)
	}
	e.log.Debug("music pieces encoded", zap.Int("encoded", encoded), zap.Int("waited_for", len(wait)+len(elsewhere)),
		zap.Int("pieces", len(a.Pieces)), zap.Duration("took", time.Since(now)))
	return nil
}

// missingPieces returns those of pieces that are not cached (fetched from the store when
// hosts share one), touching the others at now.
func (e *Engine) missingPieces(ctx context.Context, pieces []render.AudioPiece, now time.Time) ([]render.AudioPiece, error) {
	var missing []render.AudioPiece
	for _, p := range pieces {
		path := e.AudioPiecePath(p.Key)
		err := os.Chtimes(path, now, now)
		if errors.Is(err, fs.ErrNotExist) && e.shared != nil {
			// Made by another host: fetched, not encoded again.
			if found, ferr := e.shared.Fetch(ctx, path); ferr != nil {
				return nil, fmt.Errorf("engine: %w", ferr)
			} else if found {
				err = nil
			}
		}
		if errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, p)
		} else if err != nil {
			return nil, fmt.Errorf("engine: %w", err)
		}
	}
	return missing, nil
}

// encodePieceRuns encodes pieces in runs, one ffmpeg each, procs at a time (0: one per core):
// as many runs as processes, each at most maxPiecesPerRun long (an AAC encoder and its output
// hold about 1.5 MB: a 5-minute track is 75 pieces).
func (e *Engine) encodePieceRuns(ctx context.Context, a *render.AudioPlan, missing []render.AudioPiece, workPath string, procs int) error {
	if len(missing) == 0 {
		return nil
	}
	if procs <= 0 {
		procs = runtime.NumCPU()
	}
	procs = min(procs, len(missing))
	runs := max(procs, (len(missing)+maxPiecesPerRun-1)/maxPiecesPerRun)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(procs)
	for i := range runs {
		run := missing[i*len(missing)/runs : (i+1)*len(missing)/runs]
		g.Go(func() error { return e.encodeAudioPieces(gctx, a, run, workPath) })
	}
	return g.Wait()
}

// encodeAudioPieces encodes the pieces with one ffmpeg and checks that each holds the packets
// its samples make before it enters the cache.
func (e *Engine) encodeAudioPieces(ctx context.Context, a *render.AudioPlan, pieces []render.AudioPiece, workPath string) error {
	finals := make([]string, len(pieces))
	for i, p := range pieces {
		finals[i] = e.AudioPiecePath(p.Key)
	}
	err := writeAllAtomic(finals, func(tmps []string) error {
		clips := make([]string, len(a.Clips))
		for i, c := range a.Clips {
			clips[i] = sourceOf(ctx, c.Asset)
		}
		args, err := render.AudioMixArgs(a, pieces, workPath, clips, tmps)
		if err != nil {
			return internalError(err, "preparing the music")
		}
		if err := e.ff.As(ffmpeg.KindMusicPieces).Run(ctx, args, nil); err != nil {
			return internalError(err, "preparing the music")
		}
		for i, p := range pieces {
			tracks, err := mp4.ReadFile(tmps[i])
			if err != nil {
				return fmt.Errorf("engine: a piece of the music: %w", err)
			}
			if len(tracks) != 1 || int64(len(tracks[0].Samples)) != p.Packets() {
				return fmt.Errorf("engine: the music's piece from sample %d has the wrong length", p.From)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := e.publish(ctx, finals...); err != nil {
		for _, f := range finals { // made again by a retry, and published then
			_ = os.Remove(f)
		}
		return err
	}
	return nil
}

// PrepareAudioPieces makes the pieces of a that are not cached, and no track of them: the
// pieces every render of a track shares (render.TrackPieces), made before it is called ready.
// A call of this process that wants one of them meanwhile (a render's PrepareAudio) waits for
// it rather than encoding it beside this one (as do other processes over Redis claims), and
// never reads it before it is whole (a piece enters the cache by a rename, after its check).
func (e *Engine) PrepareAudioPieces(ctx context.Context, a *render.AudioPlan, workPath string, procs int) error {
	if err := e.local(ctx, workPath); err != nil {
		return fmt.Errorf("engine: the music's working copy: %w", err)
	}
	return e.audioPieces(ctx, a, workPath, procs)
}
