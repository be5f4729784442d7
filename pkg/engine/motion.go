package engine

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/simvid/simvid/pkg/motion"
	"github.com/simvid/simvid/pkg/render"
)

// moving reports whether seg shows a moving slide: its frames are drawn here and fed to
// ffmpeg (render.Segment.Moving).
func moving(seg render.Segment) bool {
	for i := range seg.Stills {
		if seg.Moving(i) {
			return true
		}
	}
	return false
}

// hasMoving reports whether any segment of p shows a moving slide.
func hasMoving(p *render.Plan) bool {
	for _, sg := range p.Segments {
		if moving(sg) {
			return true
		}
	}
	return false
}

// encodeMoving encodes a segment with a moving slide: package motion draws each of its
// frames from the still and ffmpeg only encodes them (and blends a transition, draws a
// caption). The encoder is the machine's: see motionEncoder.
func (e *Engine) encodeMoving(ctx context.Context, seg render.Segment, stills []string, out string, enc render.Encoder, onFrames func(int64)) error {
	if seg.FedFade() {
		return e.encodeFed(ctx, seg, stills, out, enc, onFrames, []func(io.Writer) error{fadeFeed(seg, stills, e.frames)})
	}
	var feeds []func(io.Writer) error
	for i, path := range stills {
		if !seg.Moving(i) {
			continue
		}
		still, err := e.frames.ReadY4M(path)
		if err != nil {
			return fmt.Errorf("engine: segment %d: %w", seg.Index, err)
		}
		defer e.frames.Put(still) // after encodeFed: its feeds have returned
		mv := seg.Moves[i]
		feeds = append(feeds, func(w io.Writer) error {
			s := samplers(still)
			return motion.Feed(w, e.frames, mv.W, mv.H, seg.Frames, len(s), func(k int64, dst *motion.Frame, band, lo, hi int) {
				win := mv.Window(k)
				s[band].DrawRows(dst, motion.Window{X: win[0], Y: win[1], W: win[2], H: win[3]}, lo, hi)
			})
		})
	}
	return e.encodeFed(ctx, seg, stills, out, enc, onFrames, feeds)
}

// fadeFeed draws a fade between two moving slides: both windows, blended (Segment.FedFade).
func fadeFeed(seg render.Segment, stills []string, fs *motion.Frames) func(io.Writer) error {
	return func(w io.Writer) error {
		var s [2][]*motion.Sampler
		for i := range s {
			still, err := fs.ReadY4M(stills[i])
			if err != nil {
				return err
			}
			defer fs.Put(still)
			s[i] = samplers(still)
		}
		a, b := seg.Moves[0], seg.Moves[1]
		second := fs.Get(b.W, b.H) // each band blends its own rows of it
		defer fs.Put(second)
		return motion.Feed(w, fs, a.W, a.H, seg.Frames, len(s[0]), func(k int64, dst *motion.Frame, band, lo, hi int) {
			wa, wb := a.Window(k), b.Window(k)
			s[0][band].DrawRows(dst, motion.Window{X: wa[0], Y: wa[1], W: wa[2], H: wa[3]}, lo, hi)
			s[1][band].DrawRows(second, motion.Window{X: wb[0], Y: wb[1], W: wb[2], H: wb[3]}, lo, hi)
			motion.FadeRows(dst, dst, second, k, seg.Frames, lo, hi)
		})
	}
}

// samplers returns a sampler of still for each band of rows motion.Feed draws at once: one
// a core, so that the drawing takes whatever x264 leaves.
func samplers(still *motion.Frame) []*motion.Sampler {
	s := make([]*motion.Sampler, runtime.GOMAXPROCS(0))
	for i := range s {
		s[i] = motion.NewSampler(still)
	}
	return s
}

// encodeFed runs the segment's ffmpeg with feeds, one such at a time on this host.
func (e *Engine) encodeFed(ctx context.Context, seg render.Segment, stills []string, out string, enc render.Encoder, onFrames func(int64), feeds []func(io.Writer) error) error {
	select { // one moving segment encodes at a time on this host: see motionEncoder
	case e.motionSlot <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-e.motionSlot }()
	args, err := e.segmentArgs(seg, stills, out, motionEncoder(enc))
	if err != nil {
		return internalError(err, fmt.Sprintf("rendering slide %d", seg.Slides[0]+1))
	}
	if err := e.ff.RunFed(ctx, args, feeds, onFrames); err != nil {
		return internalError(err, fmt.Sprintf("rendering slide %d", seg.Slides[0]+1))
	}
	return nil
}

// motionEncoder is enc for a segment whose every frame is encoded: one such x264 at a time
// on this host, with all its cores, rather than one per core. x264 holds a 1080p frame in
// about 10 MB (its planes, half-pixel planes and look-ahead), some 150 MB for one encoder
// whatever its threads: two side by side at one thread each were most of a motion render's
// 543 MB. Two frame threads in one encoder keep both cores as busy. Threads set by the
// caller (a worker's share of the machine) are kept.
func motionEncoder(enc render.Encoder) render.Encoder {
	if enc.Threads <= 1 {
		enc.Threads = max(1, runtime.NumCPU())
	}
	return enc
}
