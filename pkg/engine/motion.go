package engine

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/motion"
	"github.com/simvid/simvid/pkg/render"
	"go.uber.org/zap"
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
		feeds = append(feeds, moveFeed(seg.Moves[i], seg.Frames, still, e.frames))
	}
	return e.encodeFed(ctx, seg, stills, out, enc, onFrames, feeds)
}

// moveFeed draws n frames of a moving slide from its still.
func moveFeed(mv *render.Move, n int64, still *motion.Frame, fs *motion.Frames) func(io.Writer) error {
	return func(w io.Writer) error {
		s := samplers(still)
		return motion.Feed(w, fs, mv.W, mv.H, n, len(s), func(k int64, dst *motion.Frame, band, lo, hi int) {
			win := mv.Window(k)
			s[band].DrawRows(dst, motion.Window{X: win[0], Y: win[1], W: win[2], H: win[3]}, lo, hi)
		})
	}
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

// fedRun returns the segments of the units at the head of units that one ffmpeg encodes
// (encodeRun): consecutive units of one render.FedAlone segment each, of one size and rate.
// Fewer than two is no run.
func fedRun(units [][]render.Segment) []render.Segment {
	var run []render.Segment
	for _, u := range units {
		if len(u) != 1 || !u[0].FedAlone() || len(run) > 0 && !render.FedRunJoins(run[len(run)-1], u[0]) {
			break
		}
		run = append(run, u[0])
	}
	if len(run) < 2 {
		return nil
	}
	return run
}

// encodeRun is encodeUnit for a run of fedRun: the segments missing from the cache are
// encoded by one ffmpeg from one stream of their frames (render.RunArgs), one start of
// ffmpeg and x264 instead of one a segment, and each then goes into the cache as
// encodeSegment would put it there. Segments in the cache are taken from it. A segment is
// reported done (done, with onFrames at its every frame) once the encoder is past it.
func (e *Engine) encodeRun(ctx context.Context, run []render.Segment, enc render.Encoder, onFrames func(render.Segment, int64), done func(seg render.Segment, cached bool)) (cached int, err error) {
	var todo, stored []render.Segment
	for _, sg := range run {
		if e.SegmentStored(ctx, sg) {
			stored = append(stored, sg)
		} else {
			todo = append(todo, sg)
		}
	}
	if len(todo) < 2 {
		return e.encodeEach(ctx, run, enc, onFrames, done)
	}
	segs := filepath.Dir(e.SegmentPath(todo[0].Key))
	if err := os.MkdirAll(segs, 0o755); err != nil {
		return 0, fmt.Errorf("engine: %w", err)
	}
	dir, err := os.MkdirTemp(segs, ".run-") // beside the cache's files: they are renamed there
	if err != nil {
		return 0, fmt.Errorf("engine: %w", err)
	}
	defer os.RemoveAll(dir)
	reported := 0 // the segments of todo reported done
	report := func(n int64) {
		for i, sg := range todo {
			if i < reported {
				n -= sg.Frames
				continue
			}
			if n < sg.Frames {
				if onFrames != nil {
					onFrames(sg, max(0, n))
				}
				return
			}
			if onFrames != nil {
				onFrames(sg, sg.Frames)
			}
			if done != nil {
				done(sg, false)
			}
			reported++
			n -= sg.Frames
		}
	}
	err = e.encodeFedRun(ctx, todo, enc, filepath.Join(dir, "%d.mp4"), report)
	for i, sg := range todo {
		if err != nil {
			break
		}
		part := filepath.Join(dir, strconv.Itoa(i)+".mp4")
		var hit bool
		if hit, err = e.produce(ctx, e.SegmentPath(sg.Key), func(tmp string) error { return os.Rename(part, tmp) }); hit {
			cached++
		}
	}
	if err != nil {
		if ctx.Err() != nil || !lostFile(err) {
			return cached, err
		}
		// The cache was emptied under the run (its stills, or the run's own folder in it):
		// each segment alone fetches what it needs again (produce), as a segment would.
		e.log.Warn("a file of a run of moving segments went missing; encoding them one by one", zap.Error(err))
		was := func(sg render.Segment) bool { // reported done already: not again
			return slices.ContainsFunc(todo[:reported], func(r render.Segment) bool { return r.Key == sg.Key })
		}
		var frames func(render.Segment, int64)
		if onFrames != nil {
			frames = func(sg render.Segment, n int64) {
				if !was(sg) {
					onFrames(sg, n)
				}
			}
		}
		return e.encodeEach(ctx, run, enc, frames, func(sg render.Segment, hit bool) {
			if done != nil && !was(sg) {
				done(sg, hit)
			}
		})
	}
	report(1 << 62) // every segment of todo done
	hits, err := e.encodeEach(ctx, stored, enc, onFrames, done)
	return cached + hits, err
}

// encodeEach is encodeUnit for segments that are units of their own.
func (e *Engine) encodeEach(ctx context.Context, segs []render.Segment, enc render.Encoder, onFrames func(render.Segment, int64), done func(seg render.Segment, cached bool)) (cached int, err error) {
	for _, sg := range segs {
		hits, err := e.encodeUnit(ctx, []render.Segment{sg}, enc, nil, onFrames, done)
		cached += hits
		if err != nil {
			return cached, err
		}
	}
	return cached, nil
}

// encodeFedRun runs the one ffmpeg of a run of segments, which writes them to pattern's
// files; onFrames receives the frames encoded so far.
func (e *Engine) encodeFedRun(ctx context.Context, segs []render.Segment, enc render.Encoder, pattern string, onFrames func(int64)) error {
	stills := make([][]string, len(segs))
	for i, sg := range segs {
		for _, k := range sg.Stills {
			p := e.StillPath(k)
			if err := e.local(ctx, p); err != nil {
				return fmt.Errorf("engine: segment %d: still not prepared: %w", sg.Index, err)
			}
			stills[i] = append(stills[i], p)
		}
	}
	feed := func(w io.Writer) error {
		for i, sg := range segs {
			if err := e.fedFrames(sg, stills[i])(w); err != nil {
				return err
			}
		}
		return nil
	}
	select { // one moving segment encodes at a time on this host: see motionEncoder
	case e.motionSlot <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-e.motionSlot }()
	args := render.RunArgs(segs, pattern, motionEncoder(enc))
	if err := e.ff.As(ffmpeg.KindSegment).RunFed(ctx, args, []func(io.Writer) error{feed}, onFrames); err != nil {
		return internalError(err, fmt.Sprintf("rendering slide %d", segs[0].Slides[0]+1))
	}
	return nil
}

// fedFrames is the feed of a render.FedAlone segment's frames: a moving slide's, or a fade
// between two (fadeFeed).
func (e *Engine) fedFrames(seg render.Segment, stills []string) func(io.Writer) error {
	if seg.FedFade() {
		return fadeFeed(seg, stills, e.frames)
	}
	return func(w io.Writer) error {
		still, err := e.frames.ReadY4M(stills[0])
		if err != nil {
			return fmt.Errorf("engine: segment %d: %w", seg.Index, err)
		}
		defer e.frames.Put(still)
		return moveFeed(seg.Moves[0], seg.Frames, still, e.frames)(w)
	}
}
