package engine

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/h264"
	"github.com/simvid/simvid/pkg/motion"
	"github.com/simvid/simvid/pkg/render"
)

// fedKeyframes reports whether runs are made by one x264 fed their stills (keyframesFed):
// two or more, each render.FedKeyframes, of one size and frame rate. Such a run takes the
// memory of one keyframes run however many it makes, so no memory budget cuts it.
func (e *Engine) fedKeyframes(runs []keyframeRun) bool {
	if e.batchOnly || len(runs) < 2 {
		return false
	}
	for _, r := range runs {
		if !render.FedKeyframes(r.seg, r.enc) || r.w != runs[0].w || r.h != runs[0].h || r.seg.FPS != runs[0].seg.FPS {
			return false
		}
	}
	return true
}

// keyframesFed makes the keyframes of runs (fedKeyframes) in one ffmpeg and one x264
// (render.KeyframesFeedArgs), fed the runs' stills on a pipe, and returns each run's stream
// by segment key, as keyframesBatch would. ok is false, with no error, when the run failed
// for another reason than ctx (logged): the caller makes them another way, whose errors name
// their slides.
func (e *Engine) keyframesFed(ctx context.Context, runs []keyframeRun) (made map[string][]byte, ok bool, err error) {
	segs := make([]render.Segment, len(runs))
	for i, r := range runs {
		segs[i] = r.seg
	}
	raw := e.tmpPath("keyframes-fed-", ".h264")
	defer os.Remove(raw)
	feed := func(w io.Writer) error { return feedStills(w, runs) }
	// One such ffmpeg at a time on this host: it holds 137 MB at 1080p whatever its runs
	// (4 or 60; one fade's run alone 103 MB: x264 keeps its B-frame look-ahead's pictures
	// here), and two at once took the cold render's summed peak to 320 MB. Its CPU is the
	// same either way; the other slot waits, or writes its segments from the bitstream.
	select {
	case e.keySlot <- struct{}{}:
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	defer func() { <-e.keySlot }()
	err = e.ff.As(ffmpeg.KindKeyframes).RunFed(ctx, render.KeyframesFeedArgs(segs, raw, runs[0].enc), []func(io.Writer) error{feed}, nil)
	if ctx.Err() != nil {
		return nil, false, ctx.Err()
	}
	var parts [][]byte
	if err == nil {
		var stream []byte
		if stream, err = os.ReadFile(raw); err == nil {
			parts, err = h264.SplitKeyframes(stream, len(runs))
		}
	}
	if err != nil {
		e.log.Warn("the keyframes of a slot's stills failed in one x264; making them in batches", zap.Int("runs", len(runs)),
			zap.Int("first_segment", runs[0].seg.Index), zap.Error(err))
		return nil, false, nil
	}
	made = make(map[string][]byte, len(runs))
	for i, r := range runs {
		made[r.seg.Key] = parts[i]
	}
	return made, true, nil
}

// feedStills writes the stills of runs as one yuv4mpegpipe stream, in the order
// render.KeyframesFeedArgs reads them: the first still's header, then every still's frame.
// The stills must agree in all but their frame rate (which ffmpeg is told): one size, one
// chroma and colour.
func feedStills(w io.Writer, runs []keyframeRun) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var head string
	for _, r := range runs {
		for _, path := range r.stills {
			h, err := copyStillFrame(bw, path, head)
			if err != nil {
				return fmt.Errorf("engine: segment %d: %w", r.seg.Index, err)
			}
			head = h
		}
	}
	return bw.Flush()
}

// copyStillFrame writes the frame of the still at path to w (its FRAME line and yuv420p
// planes), after the still's header when head is "" (the stream's first). It returns the
// still's header line, and refuses a still whose header differs from head in more than its
// rate.
func copyStillFrame(w *bufio.Writer, path, head string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	line, err := r.ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	size, ok := frameBytes(line)
	if !ok || (head != "" && withoutRate(head) != withoutRate(line)) {
		return "", fmt.Errorf("%s: a still unlike the others (%q)", filepath.Base(path), strings.TrimSpace(line))
	}
	if head == "" {
		if _, err := w.WriteString(line); err != nil {
			return "", err
		}
	}
	if _, err := r.ReadString('\n'); err != nil { // FRAME and its parameters, if any
		return "", fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if _, err := w.WriteString("FRAME\n"); err != nil {
		return "", err
	}
	if n, err := io.CopyN(w, r, size); err != nil {
		return "", fmt.Errorf("%s: %d of %d bytes of its frame: %w", filepath.Base(path), n, size, err)
	}
	return line, nil
}

// frameBytes is the size of a yuv420p frame of a YUV4MPEG header; ok is false for another
// chroma, no size or an odd one.
func frameBytes(header string) (int64, bool) {
	w, h, chroma, ok := motion.Y4MHeader(header)
	if !ok || w%2 != 0 || h%2 != 0 || !motion.Y4M420(chroma) {
		return 0, false
	}
	return int64(w*h + 2*(w/2)*(h/2)), true
}

// withoutRate is a YUV4MPEG header without its frame rate.
func withoutRate(header string) string {
	fields := strings.Fields(header)
	kept := fields[:0:0]
	for _, f := range fields {
		if !strings.HasPrefix(f, "F") {
			kept = append(kept, f)
		}
	}
	return strings.Join(kept, " ")
}
