package engine

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/h264"
	"github.com/simvid/simvid/pkg/mp4"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// PrepareStill decodes a picture once into its cached still and returns the still's path.
func (e *Engine) PrepareStill(ctx context.Context, st render.Still, srcPath string) (string, error) {
	slide := 1
	if len(st.Slides) > 0 {
		slide = st.Slides[0] + 1
	}
	out := e.StillPath(st.Key)
	_, err := e.produce(ctx, out, func(tmp string) error {
		if st.Fit != render.FitColor {
			if err := e.local(ctx, srcPath); errors.Is(err, fs.ErrNotExist) {
				return simvid.Errorf(simvid.EInternal, "slide %d's picture file is missing on the server", slide)
			} else if err != nil {
				return err
			}
		}
		args, err := e.stillArgs(st, srcPath, tmp)
		if err != nil {
			return internalError(err, fmt.Sprintf("preparing slide %d", slide))
		}
		if err := e.ff.As(ffmpeg.KindStill).Run(ctx, args, nil); err != nil {
			return stillError(err, slide, st.Asset)
		}
		return nil
	})
	return out, err
}

// EncodeSegment encodes one segment from its stills (prepared already). onFrames (may be nil)
// receives ffmpeg's frame count as it goes. cached says the segment was in the cache.
func (e *Engine) EncodeSegment(ctx context.Context, seg render.Segment, enc render.Encoder, onFrames func(int64)) (cached bool, err error) {
	return e.encodeSegment(ctx, seg, enc, onFrames, nil)
}

// firstFrame is the first picture of a Dissolved fade (h264.FirstPicture) made in a unit of
// render.FirstFrameUnits, for the holds after it, and the keyframes streams made ahead of the
// unit's segments in a batch (keyframesAhead), by segment key.
type firstFrame struct {
	fade render.Segment
	pic  []byte
	made map[string][]byte
}

// encodeSegment is EncodeSegment that, with first not nil, keeps a Dissolved fade's first
// picture there and takes a hold's from there when they share it (render.SharesFirstFrame).
func (e *Engine) encodeSegment(ctx context.Context, seg render.Segment, enc render.Encoder, onFrames func(int64), first *firstFrame) (cached bool, err error) {
	stills := make([]string, len(seg.Stills))
	for i, k := range seg.Stills {
		stills[i] = e.StillPath(k)
	}
	cached, err = e.produce(ctx, e.SegmentPath(seg.Key), func(tmp string) error {
		if seg.Kind == render.KindClip {
			return e.clipSegment(ctx, seg, tmp, enc, onFrames)
		}
		for _, s := range stills {
			if err := e.local(ctx, s); err != nil {
				return fmt.Errorf("engine: segment %d: still not prepared: %w", seg.Index, err)
			}
		}
		if moving(seg) {
			return e.encodeMoving(ctx, seg, stills, tmp, enc, onFrames)
		}
		if seg.Making(enc) != render.Encoded {
			done, err := e.bitstreamSegment(ctx, seg, stills, tmp, enc, first)
			if done || err != nil {
				return err
			}
		}
		args, err := e.segmentArgs(seg, stills, tmp, enc)
		if err != nil {
			return internalError(err, fmt.Sprintf("rendering slide %d", seg.Slides[0]+1))
		}
		if err := e.ff.As(ffmpeg.KindSegment).Run(ctx, args, onFrames); err != nil {
			return internalError(err, fmt.Sprintf("rendering slide %d", seg.Slides[0]+1))
		}
		return nil
	})
	if err == nil && onFrames != nil {
		onFrames(seg.Frames)
	}
	return cached, err
}

// bitstreamSegment writes a segment that is not encoded frame by frame (see render.Making):
// a hold as its first frame repeated, a fade as its end frames with the decoder blending the
// frames between. done is false, with no error, when the encoder's stream is one package
// h264 cannot extend: the caller then encodes every frame. A fade's first picture goes into
// first (when not nil), and a hold that shares it starts no ffmpeg: its segment is the same
// to the byte (render.SharesFirstFrame).
func (e *Engine) bitstreamSegment(ctx context.Context, seg render.Segment, stills []string, out string, enc render.Encoder, first *firstFrame) (done bool, err error) {
	dissolved := seg.Making(enc) == render.Dissolved
	ends, write := render.FirstFrameArgs, h264.RepeatMP4
	if dissolved {
		ends, write = render.EndFramesArgs, h264.CrossfadeMP4
	}
	var b []byte
	if first != nil && first.pic != nil && render.SharesFirstFrame(seg, first.fade, enc) {
		b = first.pic
	} else if first != nil && first.made[seg.Key] != nil {
		b = first.made[seg.Key]
	} else if b, err = e.keyframes(ctx, seg, ends(seg, stills, out+".h264", enc), out+".h264"); err != nil {
		return false, err
	}
	if dissolved && first != nil {
		if pic, err := h264.FirstPicture(b); err == nil {
			first.fade, first.pic = seg, pic
		}
	}
	f, err := os.Create(out)
	if err != nil {
		return false, fmt.Errorf("engine: %w", err)
	}
	ts := render.TrackTimescale(seg.FPS)
	err = write(f, b, int(seg.Frames), uint32(ts), uint32(ts/seg.FPS))
	if cerr := f.Close(); err == nil && cerr != nil {
		return false, fmt.Errorf("engine: %w", cerr)
	}
	if err != nil {
		_ = os.Remove(out)
		e.log.Warn("encoding every frame of a segment the bitstream could not make", zap.Int("segment", seg.Index), zap.Error(err))
		return false, nil
	}
	return true, nil
}

// keyframes runs the ffmpeg of args, which writes a raw H.264 stream to raw, and returns
// the stream.
func (e *Engine) keyframes(ctx context.Context, seg render.Segment, args []string, raw string) ([]byte, error) {
	defer os.Remove(raw)
	if err := e.ff.As(ffmpeg.KindKeyframes).Run(ctx, args, nil); err != nil {
		return nil, internalError(err, fmt.Sprintf("rendering slide %d", seg.Slides[0]+1))
	}
	b, err := os.ReadFile(raw)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	return b, nil
}

// Assemble joins the plan's cached segments and the prepared music (audioPath "" for none)
// into output with a stream copy, atomically, and returns its size. It runs again even when
// output exists: the same path may hold an older render's file.
func (e *Engine) Assemble(ctx context.Context, p *render.Plan, audioPath, output string) (int64, error) {
	start := time.Now()
	if err := e.again(ctx, "assemble", func() error { return e.assemble(ctx, p, audioPath, output) }); err != nil {
		return 0, err
	}
	e.log.Debug("assembled", zap.String("output", output), zap.String("key", p.Key), zap.Duration("took", time.Since(start)))
	return fileSize(output)
}

// assemble is one run of Assemble: the segments and the music are fetched if they are not here.
func (e *Engine) assemble(ctx context.Context, p *render.Plan, audioPath, output string) error {
	if audioPath != "" {
		if err := e.local(ctx, audioPath); err != nil {
			return fmt.Errorf("engine: the music is not in the cache: %w", err)
		}
	}
	paths := make([]string, len(p.Segments))
	frames := make([]int64, len(p.Segments))
	for i, sg := range p.Segments {
		abs, err := filepath.Abs(e.SegmentPath(sg.Key))
		if err != nil {
			return fmt.Errorf("engine: %w", err)
		}
		if err := e.local(ctx, abs); err != nil {
			return fmt.Errorf("engine: segment %d is not in the cache: %w", i, err)
		}
		paths[i], frames[i] = abs, sg.Frames
	}
	return writeAtomic(output, func(tmp string) error {
		err := e.join(ctx, paths, frames, p.FPS, audioPath, tmp)
		if errors.Is(err, mp4.ErrNotJoinable) {
			e.log.Warn("joining with ffmpeg: the segments cannot be joined by a copy of their samples", zap.Error(err))
			err = e.concat(ctx, paths, frames, p.FPS, audioPath, tmp)
		}
		return err
	})
}

// join writes the video with mp4.Join: the segments' samples and the music's, copied, with
// no ffmpeg (which would open and probe every segment with a decoder first). The segments'
// sample tables come from the engine's index: a render after an edit reads only the new ones.
func (e *Engine) join(ctx context.Context, paths []string, frames []int64, fps int, audioPath, out string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := writeBuffered(out, func(w io.Writer) error { return mp4.JoinIndexed(w, e.index, paths, frames, fps, audioPath) })
	if err != nil && !errors.Is(err, mp4.ErrNotJoinable) {
		return internalError(err, "joining the video")
	}
	return err
}

// concat joins the segments with ffmpeg's concat demuxer: what join cannot join.
func (e *Engine) concat(ctx context.Context, paths []string, frames []int64, fps int, audioPath, out string) error {
	if err := os.MkdirAll(e.tmp, 0o755); err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	list, err := os.CreateTemp(e.tmp, "concat-*.txt")
	if err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	defer os.Remove(list.Name())
	_, werr := list.WriteString(render.ConcatList(paths, frames, fps))
	if cerr := list.Close(); werr != nil || cerr != nil {
		return fmt.Errorf("engine: concat list: %v %v", werr, cerr)
	}
	if err := e.ff.As(ffmpeg.KindJoin).Run(ctx, render.AssembleArgs(list.Name(), audioPath, out), nil); err != nil {
		return internalError(err, "joining the video")
	}
	return nil
}

// Poster writes a JPEG of the first slide at output size, atomically. The JPEG is a cache
// entry too (keyed by the still and the size), so a re-render copies it instead of starting
// ffmpeg.
func (e *Engine) Poster(ctx context.Context, p *render.Plan, poster string) error {
	if len(p.Slides) == 0 {
		return fmt.Errorf("engine: poster: the plan has no slides")
	}
	still := e.StillPath(p.Stills[p.Slides[0].Still].Key)
	cached := e.PosterPath(p.PosterKey())
	if _, err := e.produce(ctx, cached, func(tmp string) error {
		if err := e.local(ctx, still); err != nil {
			return err
		}
		if err := e.ff.As(ffmpeg.KindPoster).Run(ctx, render.PosterArgsSized(still, tmp, p.W, p.H), nil); err != nil {
			return internalError(err, "making the poster")
		}
		return nil
	}); err != nil {
		return err
	}
	b, err := os.ReadFile(cached)
	if err != nil {
		return fmt.Errorf("engine: poster: %w", err)
	}
	return writeAtomic(poster, func(tmp string) error { return os.WriteFile(tmp, b, 0o644) })
}

// writeBuffered creates path and writes it through a buffer with write. write's own error
// comes back as it is (a caller may test it), the file's wrapped.
func writeBuffered(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("engine: %w", cerr)
	}
	return err
}

// writeAtomic replaces final with what build writes to a temp file next to it.
func writeAtomic(final string, build func(tmp string) error) error {
	return writeAllAtomic([]string{final}, func(tmps []string) error { return build(tmps[0]) })
}

// writeAllAtomic is writeAtomic for several files one build makes at once (one ffmpeg with
// several outputs): each appears under its final name only when build succeeded.
func writeAllAtomic(finals []string, build func(tmps []string) error) error {
	tmps := make([]string, len(finals))
	for i, f := range finals {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			return fmt.Errorf("engine: %w", err)
		}
		tmps[i] = tempName(f)
	}
	removeAll := func() {
		for _, t := range tmps {
			_ = os.Remove(t)
		}
	}
	if err := build(tmps); err != nil {
		removeAll()
		return err
	}
	for i, t := range tmps {
		if err := os.Rename(t, finals[i]); err != nil {
			removeAll()
			return fmt.Errorf("engine: %w", err)
		}
	}
	return nil
}

// clipSegment encodes a run of a clip's frames from the clip's original (WithSources).
func (e *Engine) clipSegment(ctx context.Context, seg render.Segment, out string, enc render.Encoder, onFrames func(int64)) error {
	slide := seg.Slides[0] + 1
	src := sourceOf(ctx, seg.Clip.Src.Asset)
	if err := e.local(ctx, src); errors.Is(err, fs.ErrNotExist) {
		return simvid.Errorf(simvid.EInternal, "slide %d's clip file is missing on the server", slide)
	} else if err != nil {
		return err
	}
	f, err := e.files(seg.Clip.Fit.Caption)
	if err != nil {
		return err
	}
	tmps, finals, err := e.runStillOutputs(ctx, seg) // its stills from the same decode
	if err != nil {
		return err
	}
	args, err := render.ClipSegmentArgs(seg, src, out, enc, f, tmps...)
	if err != nil {
		return internalError(err, fmt.Sprintf("rendering slide %d", slide))
	}
	err = e.ff.As(ffmpeg.KindClip).Run(ctx, args, onFrames)
	if kerr := e.keepRunStills(ctx, tmps, finals, err == nil); kerr != nil {
		// PrepareClip makes them alone.
		e.log.Warn("keeping a clip run's stills", zap.Int("segment", seg.Index), zap.Error(kerr))
	}
	if err != nil {
		return internalError(err, fmt.Sprintf("rendering slide %d's clip", slide))
	}
	return nil
}
