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

// EncodeGroup encodes g's segments one after another (their stills prepared already) and
// returns how many were in the cache. onFrames (may be nil) receives the frames written
// across the group so far, counting each distinct segment once.
func (e *Engine) EncodeGroup(ctx context.Context, g render.Group, enc render.Encoder, onFrames func(int64)) (cached int, err error) {
	var before int64
	for _, sg := range g.Segments {
		report := func(n int64) {
			if onFrames != nil {
				onFrames(before + min(n, sg.Frames))
			}
		}
		hit, err := e.EncodeSegment(ctx, sg, enc, report)
		if err != nil {
			return cached, err
		}
		if hit {
			cached++
		}
		before += sg.Frames
	}
	return cached, nil
}
