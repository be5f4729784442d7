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
		return e.encodeFed(ctx, seg, stills, out, enc, onFrames, []func(io.Writer) error{fadeFeed(seg, stills)})
	}
	var feeds []func(io.Writer) error
	for i, path := range stills {
		if !seg.Moving(i) {
			continue
		}
		still, err := motion.ReadY4M(path)
		if err != nil {
			return fmt.Errorf("engine: segment %d: %w", seg.Index, err)
		}
		mv := seg.Moves[i]
		feeds = append(feeds, func(w io.Writer) error {
			s, fr := motion.NewSampler(still), motion.NewFrame(mv.W, mv.H)
			for k := int64(0); k < seg.Frames; k++ {
				win := mv.Window(k)
				s.Draw(fr, motion.Window{X: win[0], Y: win[1], W: win[2], H: win[3]})
				if _, err := w.Write(fr.Bytes()); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return e.encodeFed(ctx, seg, stills, out, enc, onFrames, feeds)
}

// fadeFeed draws a fade between two moving slides: both windows, blended (Segment.FedFade).
func fadeFeed(seg render.Segment, stills []string) func(io.Writer) error {
	return func(w io.Writer) error {
		var s [2]*motion.Sampler
		var fr [2]*motion.Frame
		for i := range s {
			still, err := motion.ReadY4M(stills[i])
			if err != nil {
				return err
			}
			s[i], fr[i] = motion.NewSampler(still), motion.NewFrame(seg.Moves[i].W, seg.Moves[i].H)
		}
		for k := int64(0); k < seg.Frames; k++ {
			for i := range s {
				win := seg.Moves[i].Window(k)
				s[i].Draw(fr[i], motion.Window{X: win[0], Y: win[1], W: win[2], H: win[3]})
			}
			motion.Fade(fr[0], fr[0], fr[1], k, seg.Frames)
			if _, err := w.Write(fr[0].Bytes()); err != nil {
				return err
			}
		}
		return nil
	}
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
