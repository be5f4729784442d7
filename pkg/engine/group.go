package engine

import (
	"context"
	"runtime"

	"github.com/simvid/simvid/pkg/render"
)

// EncoderFor returns the plan's encoder with its -threads: threads when positive, otherwise
// the cores shared out among the processes that encode at once on this host.
func EncoderFor(p *render.Plan, threads, processes int) render.Encoder {
	enc := p.Encoder
	enc.Threads = threads
	if enc.Threads <= 0 {
		// x264's own default (1.5 threads per core) in each of several processes
		// oversubscribes the CPU: on 2 cores, 2 processes at -threads 2 render the 12-slide
		// 1080p reference in 19 s, at x264's default in 45 s.
		enc.Threads = max(1, runtime.NumCPU()/max(1, processes))
	}
	return enc
}

// GroupStored reports whether every segment of g is in the cache here or, over a store, in
// the store (another host encoded it): a look-up per segment missing here, no download.
func (e *Engine) GroupStored(ctx context.Context, g render.Group) bool {
	for _, sg := range g.Segments {
		if !e.Stored(ctx, e.SegmentPath(sg.Key)) {
			return false
		}
	}
	return true
}

// SegmentStored reports whether sg is in the cache here or, over a store, in the store.
func (e *Engine) SegmentStored(ctx context.Context, sg render.Segment) bool {
	return e.Stored(ctx, e.SegmentPath(sg.Key))
}

// EncodeGroup encodes g's segments one after another (their stills prepared already), a
// fade before the holds that take their first frame from it (render.FirstFrameUnits), their
// keyframes runs made first in batches (keyframesAhead), and returns how many were in the
// cache. onFrames (may be nil) receives the frames written
// across the group so far, counting each distinct segment once.
func (e *Engine) EncodeGroup(ctx context.Context, g render.Group, enc render.Encoder, onFrames func(int64)) (cached int, err error) {
	var before int64
	units := render.FirstFrameUnits(g.Segments, enc)
	made, err := e.keyframesAhead(ctx, units, enc) // a fed run starts none
	if err != nil {
		return 0, err
	}
	for i := 0; i < len(units); i++ {
		unit, encode := units[i], e.unitEncoder(made)
		if run := fedRun(units[i:]); run != nil { // one ffmpeg for the run
			unit, encode, i = run, e.encodeRun, i+len(run)-1
		}
		hits, err := encode(ctx, unit, enc, func(sg render.Segment, n int64) {
			if onFrames != nil {
				onFrames(before + min(n, sg.Frames))
			}
		}, func(sg render.Segment, _ bool) { before += sg.Frames })
		cached += hits
		if err != nil {
			return cached, err
		}
	}
	return cached, nil
}

// unitEncoder is encodeUnit with the keyframes streams made ahead, in encodeRun's shape.
func (e *Engine) unitEncoder(made map[string][]byte) func(context.Context, []render.Segment, render.Encoder, func(render.Segment, int64), func(render.Segment, bool)) (int, error) {
	return func(ctx context.Context, unit []render.Segment, enc render.Encoder, onFrames func(render.Segment, int64), done func(render.Segment, bool)) (int, error) {
		return e.encodeUnit(ctx, unit, enc, made, onFrames, done)
	}
}

// encodeUnit encodes the segments of a unit of render.FirstFrameUnits in order and returns
// how many were in the cache. made holds keyframes streams made ahead (keyframesAhead; may
// be nil). onFrames (may be nil) receives a segment's frame count as it goes, done (may be
// nil) each segment made or found in the cache.
func (e *Engine) encodeUnit(ctx context.Context, unit []render.Segment, enc render.Encoder, made map[string][]byte, onFrames func(render.Segment, int64), done func(seg render.Segment, cached bool)) (cached int, err error) {
	first := firstFrame{made: made}
	for _, sg := range unit {
		var report func(int64)
		if onFrames != nil {
			report = func(n int64) { onFrames(sg, n) }
		}
		hit, err := e.encodeSegment(ctx, sg, enc, report, &first)
		if err != nil {
			return cached, err
		}
		if hit {
			cached++
		}
		if done != nil {
			done(sg, hit)
		}
	}
	return cached, nil
}
