package engine

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/render"
)

// pieceLockPoll is how often a call looks for pieces another process is making.
const pieceLockPoll = 50 * time.Millisecond

// claimAcross claims pieces among the processes sharing the cache (PieceLocks): mine are this
// call's to make, elsewhere another process's, being made there. Without locks, or when they
// fail, every piece is this call's: a piece made twice is the same file, renamed into place
// whole, so only the CPU is lost.
func (e *Engine) claimAcross(ctx context.Context, pieces []render.AudioPiece) (mine, elsewhere []render.AudioPiece, release func()) {
	if e.pieceLocks == nil || len(pieces) == 0 {
		return pieces, nil, func() {}
	}
	keys := make([]string, len(pieces))
	for i, p := range pieces {
		keys[i] = p.Key
	}
	held, release, err := e.pieceLocks.Claim(ctx, keys)
	if err != nil {
		e.log.Warn("music pieces not claimed among processes; made here", zap.Error(err))
		return pieces, nil, func() {}
	}
	for i, p := range pieces {
		if held[i] {
			elsewhere = append(elsewhere, p)
		} else {
			mine = append(mine, p)
		}
	}
	return mine, elsewhere, release
}

// awaitElsewhere waits until each of pieces is in the cache (fetched from the store when
// hosts share one) or no process holds it any more (its encoder failed, or its process went
// away and the claim lapsed), and returns those still missing, for the caller to make.
func (e *Engine) awaitElsewhere(ctx context.Context, pieces []render.AudioPiece, now time.Time) ([]render.AudioPiece, error) {
	var left []render.AudioPiece
	for len(pieces) > 0 {
		missing, err := e.missingPieces(ctx, pieces, now)
		if err != nil || len(missing) == 0 {
			return left, err
		}
		keys := make([]string, len(missing))
		for i, p := range missing {
			keys[i] = p.Key
		}
		held, err := e.pieceLocks.Held(ctx, keys)
		if err != nil {
			e.log.Warn("music pieces' claims unknown; made here", zap.Error(err))
			return append(left, missing...), nil
		}
		pieces = pieces[:0:0]
		for i, p := range missing {
			if held[i] {
				pieces = append(pieces, p)
			} else {
				left = append(left, p)
			}
		}
		if len(pieces) == 0 {
			break
		}
		select {
		case <-time.After(pieceLockPoll):
		case <-ctx.Done():
			return nil, fmt.Errorf("engine: %w", ctx.Err())
		}
	}
	// A claim that ended between the two looks may have left its piece made.
	return e.missingPieces(ctx, left, now)
}
