package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/simvid/simvid/pkg/render"
)

// PrepareClip makes a clip segment of p and the stills that are frames of its run
// (render.ClipRun.Stills) with one decode of the clip: the segment's ffmpeg writes the
// stills missing from the cache beside it. A still still missing after that (the segment was
// cached already) is made alone from the run's decode up to its frame. cached says the
// segment was in the cache.
func (e *Engine) PrepareClip(ctx context.Context, p *render.Plan, seg render.Segment, enc render.Encoder, onFrames func(int64)) (cached bool, err error) {
	if cached, err = e.EncodeSegment(ctx, seg, enc, onFrames); err != nil {
		return cached, err
	}
	src := sourceOf(ctx, seg.Clip.Src.Asset)
	for _, rs := range seg.Clip.Stills {
		st, err := p.StillOf(rs.Key)
		if err != nil {
			return cached, err
		}
		if _, err := e.PrepareStill(ctx, st, src); err != nil { // a stat when the run wrote it
			return cached, err
		}
	}
	return cached, nil
}

// runStillOutputs are where a clip segment's ffmpeg writes the stills of its run that are
// in no cache (temporary names; "" for one there already), and the final names they take.
func (e *Engine) runStillOutputs(ctx context.Context, seg render.Segment) (tmps, finals []string, err error) {
	for _, rs := range seg.Clip.Stills {
		final := e.StillPath(rs.Key)
		if e.Stored(ctx, final) {
			tmps, finals = append(tmps, ""), append(finals, "")
			continue
		}
		if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
			return nil, nil, fmt.Errorf("engine: %w", err)
		}
		tmps, finals = append(tmps, tempName(final)), append(finals, final)
	}
	return tmps, finals, nil
}

// keepRunStills moves the stills a clip segment's ffmpeg wrote into the cache (and, over a
// store, publishes them); ok false removes them.
func (e *Engine) keepRunStills(ctx context.Context, tmps, finals []string, ok bool) error {
	var first error
	for i, t := range tmps {
		if t == "" {
			continue
		}
		if !ok {
			_ = os.Remove(t)
			continue
		}
		if err := os.Rename(t, finals[i]); err != nil {
			_ = os.Remove(t)
			if first == nil {
				first = fmt.Errorf("engine: %w", err)
			}
			continue
		}
		if err := e.publish(ctx, finals[i]); err != nil && first == nil {
			_ = os.Remove(finals[i])
			first = err
		}
	}
	return first
}
