package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/simvid/simvid/pkg/ffargs"
)

// File extensions of the cached intermediates. Stills are raw yuv420p in YUV4MPEG: no
// decoding cost when a segment reads them, and their pixels are exactly what a single-pass
// render feeds its encoder (the colour conversion happens once, here).
const (
	StillExt   = "y4m"
	SegmentExt = "mp4"
	AudioExt   = "m4a"
)

// StillArgs decodes the picture once (never -loop 1 on the original), turns it upright, fits it
// to the output size and writes one yuv420p frame.
func StillArgs(st Still, srcPath, outPath string) []string {
	a, _ := StillArgsWith(st, srcPath, outPath, Files{})
	return a
}

// StillArgsWith is StillArgs that also draws the still's caption from the files in f.
func StillArgsWith(st Still, srcPath, outPath string, f Files) ([]string, error) {
	if st.Clip != nil {
		return clipStillArgs(st, srcPath, outPath, f)
	}
	graph := StillFilter(st, "[0:v]")
	if st.Caption != nil {
		dt, err := st.Caption.filter(f)
		if err != nil {
			return nil, err
		}
		graph = captioned(graph, dt)
	}
	input := ffargs.PictureInputLowres(st.Format, srcPath, st.Lowres) // its own demuxer: see ffargs.Input
	if st.Fit == FitColor {
		if !colorRE.MatchString(st.Background) {
			return nil, fmt.Errorf("render: background %q is not a colour", st.Background)
		}
		input = []string{"-f", "lavfi", "-i", fmt.Sprintf("color=c=0x%s:s=%dx%d:d=1",
			strings.TrimPrefix(st.Background, "#"), st.W, st.H)}
	}
	a := append(append(input, "-frames:v", "1"), ffargs.PictureGraph(graph)...)
	return append(a, "-map", "[v]", "-an", "-f", "yuv4mpegpipe", fileURL(outPath)), nil
}

// StillFilter is the filter graph from the picture's pad in (such as [0:v], decoded with
// -noautorotate) to [v]: upright, fitted to WxH in RGB (the fill colour drawn as named), and
// converted once to the video's YUV (ffargs.ToBT709: yuv420p, BT.709, limited range), written
// as a yuv4mpegpipe still.
// Intake uses it (through StillFilterTap) to make a still in the same decode as the thumbnail.
func StillFilter(st Still, in string) string { return stillFilter(st, in, "") }

// StillFilterTap is StillFilter that also sends the upright w×h picture, once scaled by the
// fit and before it is padded, cropped or blurred, to the pad tap, when the fit scales it down
// to a long side of at least minSide; tapped says whether it does. Intake scales the thumbnail
// from there, a few megapixels, rather than from the decoded original. The still's chain is
// the same filters with a split between two of them: its pixels are the same.
func StillFilterTap(st Still, in, tap string, w, h, minSide int) (graph string, tapped bool) {
	if tap == "" || st.Fit == FitColor || w <= 0 || h <= 0 {
		return StillFilter(st, in), false
	}
	s := min(float64(st.W)/float64(w), float64(st.H)/float64(h)) // contain, and blur's picture
	if st.Fit == "cover" {
		s = max(float64(st.W)/float64(w), float64(st.H)/float64(h))
	}
	if s >= 1 || s*float64(max(w, h)) < float64(minSide) {
		return StillFilter(st, in), false
	}
	return stillFilter(st, in, tap), true
}

// stillFilter is StillFilter with the fitted picture also sent to the pad tap, unless tap is "".
func stillFilter(st Still, in, tap string) string { return fitFilter(st, in, tap, false) }

// fitYUV is StillFilter for frames in the video's YUV already (a clip's: clipPrep), fitted
// in it: the fill colour given as pad must get it to draw it in BT.709 (bt601For709), the
// frames left as they are (a scale without out_color_matrix keeps their matrix).
func fitYUV(st Still, in string) string { return fitFilter(st, in, "", true) }

func fitFilter(st Still, in, tap string, yuv bool) string {
	src := in
	if o := ffargs.OrientFilter(st.Orientation); o != "" {
		src += o + ","
	}
	w, h := st.W, st.H
	tail := "setsar=1," + ffargs.ToBT709 + "[v]"
	if st.Fit == FitColor {
		return in + ffargs.WorkRGB + "," + tail
	}
	// Each scale that reads the picture converts it to RGB as it scales.
	rgb, overlay, fill := ","+ffargs.WorkRGB, ":format=gbrp", strings.TrimPrefix(st.Background, "#")
	if yuv {
		rgb, overlay, fill, tail = "", "", bt601For709(fill), "setsar=1,format=yuv420p[v]"
	}
	contain := fmt.Sprintf("scale=%d:%d:force_original_aspect_ratio=decrease:force_divisible_by=2%s", w, h, rgb)
	next, fg := ",", "[fg]" // what follows the fitting scale
	if tap != "" {
		next, fg = ",split=2[fitted]"+tap+";[fitted]", ",split=2[fg]"+tap
	}
	switch st.Fit {
	case "blur":
		// The background is cropped to cover, blurred at an eighth of the size (fast), and
		// scaled back up under the contained picture.
		bw, bh := even(w/8), even(h/8)
		return fmt.Sprintf("%ssplit=2[b][f];"+
			"[b]scale=%d:%d:force_original_aspect_ratio=increase%s,crop=%d:%d,gblur=sigma=6,scale=%d:%d[bg];"+
			"[f]%s%s;[bg][fg]overlay=(W-w)/2:(H-h)/2%s,%s",
			src, bw, bh, rgb, bw, bh, w, h, contain, fg, overlay, tail)
	case "cover":
		return fmt.Sprintf("%sscale=%d:%d:force_original_aspect_ratio=increase%s%scrop=%d:%d:(iw-ow)*%s:(ih-oh)*%s,%s",
			src, w, h, rgb, next, w, h, ff(st.FocusX), ff(st.FocusY), tail)
	}
	return fmt.Sprintf("%s%s%spad=%d:%d:(ow-iw)/2:(oh-ih)/2:color=0x%s,%s",
		src, contain, next, w, h, fill, tail)
}

func even(n int) int { return max(2, n&^1) }

// captioned draws a caption's drawtext chain dt into a still's graph (StillFilter's) before
// its conversion to YUV: in RGB, where its colour is the one named (drawtext would convert
// it to YUV with BT.601).
func captioned(graph, dt string) string {
	return strings.TrimSuffix(graph, ffargs.ToBT709+"[v]") + dt + "," + ffargs.ToBT709 + "[v]"
}

// motionInputs are the inputs of a segment with motion: a moving slide's frames as raw video
// on its pipe (see Segment.Moving), a still slide's still from its file.
func motionInputs(seg Segment, stillPaths []string) []string {
	var a []string
	fd := FedFD
	for i, p := range stillPaths {
		if !seg.Moving(i) {
			a = append(a, stillInputs([]string{p}, seg.FPS)...)
			continue
		}
		if seg.FedFade() && i > 0 { // both pictures come blended on the first pipe
			break
		}
		m := seg.Moves[i]
		a = append(a, "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", fmt.Sprintf("%dx%d", m.W, m.H),
			"-r", strconv.Itoa(seg.FPS), "-i", fmt.Sprintf("pipe:%d", fd))
		fd++
	}
	return a
}

// stillInputs are the input options that read stills at fps. The rate a still was written
// with comes from its picture (a GIF says 10, others 25); xfade refuses inputs whose rates
// differ, so every still is read at the output's.
func stillInputs(stillPaths []string, fps int) []string {
	var a []string
	for _, p := range stillPaths {
		a = append(a, "-r", strconv.Itoa(fps), "-f", "yuv4mpegpipe", "-i", fileURL(p))
	}
	return a
}

// ChromaTrip takes a still through 4:4:4 and back. ffmpeg 5.1's xfade works in 4:4:4 only,
// so every frame of an xfade transition makes that round trip, and it is not neutral (the
// chroma is resampled twice: on testsrc the result is 43 dB from the still, on a photo 61 dB).
// Every segment gives its stills the same chroma: a hold's still makes the trip once before
// it is looped, and so do a fade's (TransitionInput, EndFramesArgs), so that the frames on
// either side of every join agree.
const ChromaTrip = "format=yuv444p,format=yuv420p"

// TransitionInput is what each still of a transition named name passes through once, before
// it is looped: the holds' ChromaTrip for a fade, which blends in 4:2:0 and so would
// otherwise start from chroma its neighbouring holds do not have; nothing for xfade, which
// makes the round trip itself on every frame.
func TransitionInput(name string) string {
	if blended420(name) {
		return ChromaTrip + ","
	}
	return ""
}

// TransitionFilter is the filter from two streams of frames frames each, labelled a and b,
// to their transition, labelled out, in yuv420p, for the transitions encoded frame by frame
// (a short fade is Dissolved instead: EndFramesArgs). Segments and the single-pass render of
// the lossless test both take it from here.
//
// "fade" is blended in 4:2:0: b gets an alpha plane that fades in by frame count and is laid
// over a. xfade would do the same blend in 4:4:4, converting both inputs and its output on
// every frame: at 1080p its filters take 19 ms of CPU a frame, these 4.7 ms (ffmpeg 5.1, the
// argv of a 15- and a 150-frame fade of two corpus stills with -f null, least of 3 runs).
// Frame k of n shows b at k/n, as xfade's fade does (its progress is 1 - k/n): the first frame
// is a alone, the last is not yet b. fade's factor is k*(65536/n), so its alpha rounds
// 255*k/n to within one level and overlay rounds where xfade truncates: the blend is within
// one level of xfade's. (blend with a per-frame opacity costs as much and needs sendcmd;
// xfade on the three planes apart, in gray, about twice as much.)
// xfade's 4:4:4 comes out as yuv420p here, the conversion the encoder would make anyway
// (the same bytes), so that every transition can be joined to holds in one graph.
func TransitionFilter(name string, frames int64, fps int, a, b, out string) string {
	if blended420(name) {
		return fmt.Sprintf("[%s]format=yuva420p,fade=in:s=0:n=%d:alpha=1[%s_alpha];[%s][%s_alpha]overlay=format=yuv420[%s]",
			b, frames, out, a, out, out)
	}
	return fmt.Sprintf("[%s][%s]xfade=transition=%s:duration=%.6f:offset=0,format=yuv420p[%s]",
		a, b, name, float64(frames)/float64(fps), out)
}

// blended420 reports whether TransitionFilter blends a transition in 4:2:0 itself rather
// than through xfade.
func blended420(name string) bool { return name == "fade" }

// SegmentArgs renders one segment to exactly seg.Frames frames. stillPaths are the files of
// seg.Stills, in order. A hold loops its still; a transition loops both stills over the
// transition's length into TransitionFilter.
func SegmentArgs(seg Segment, stillPaths []string, outPath string, enc Encoder) []string {
	a, _ := SegmentArgsWith(seg, stillPaths, outPath, enc, Files{})
	return a
}

// SegmentArgsWith is SegmentArgs that also draws the captions of moving slides from the
// files in f. A segment with motion moves its stills' windows frame by frame (see Move).
func SegmentArgsWith(seg Segment, stillPaths []string, outPath string, enc Encoder, f Files) ([]string, error) {
	a, err := segmentEncode(seg, stillPaths, enc, f)
	if err != nil {
		return nil, err
	}
	return append(a, "-an", "-video_track_timescale", strconv.Itoa(TrackTimescale(seg.FPS)), "-f", "mp4", fileURL(outPath)), nil
}

// rawH264 is the output of a segment's encoded frames for package h264: a raw stream, its
// SPS and PPS in band.
func rawH264(outPath string) []string { return []string{"-an", "-f", "h264", fileURL(outPath)} }

// segmentEncode is SegmentArgsWith up to its output: the stills, the graph, the encoder.
func segmentEncode(seg Segment, stillPaths []string, enc Encoder, f Files) ([]string, error) {
	n, fps := seg.Frames, seg.FPS
	loop := fmt.Sprintf("loop=loop=%d:size=1:start=0,settb=1/%d,setpts=N/%d/TB", n-1, fps, fps)
	a := stillInputs(stillPaths, fps)
	if seg.hasMotion() {
		a = motionInputs(seg, stillPaths)
	}
	fc := "[0:v]" + ChromaTrip + "," + loop + "[v]"
	if seg.Kind == KindTransition {
		in := TransitionInput(seg.Transition)
		fc = fmt.Sprintf("[0:v]%s%s[a];[1:v]%s%s[b];%s", in, loop, in, loop,
			TransitionFilter(seg.Transition, n, fps, "a", "b", "v"))
	}
	if seg.hasMotion() {
		var err error
		fc = motionGraph(seg, loop, func(i int) string {
			if i >= len(seg.Captions) {
				return ""
			}
			dt, e := seg.Captions[i].filterYUV(f)
			if e != nil {
				err = e
			}
			return dt
		})
		if err != nil {
			return nil, err
		}
	}
	a = append(a, "-filter_complex", fc, "-map", "[v]", "-frames:v", strconv.FormatInt(n, 10))
	if seg.fastTuned() {
		return append(a, enc.HoldArgs(fps)...), nil
	}
	if seg.hasMotion() {
		return append(a, enc.MotionArgs(fps)...), nil
	}
	return append(a, enc.Args(fps)...), nil
}

// Making is how a segment's frames are made.
type Making int

const (
	// Encoded: every frame goes through the encoder (SegmentArgs).
	Encoded Making = iota
	// Repeated: one unmoving picture for all its frames (a hold without motion; a caption is
	// drawn into the still). Its first frame is encoded (FirstFrameArgs, or taken from a fade's
	// run: SharesFirstFrame) and repeated in the bitstream (h264.RepeatMP4): x264 would spend
	// a dozen milliseconds a 1080p frame on each.
	Repeated
	// Dissolved: a fade between two stills. Its first and last frames are encoded
	// (EndFramesArgs) and the decoder blends the frames between (h264.CrossfadeMP4), which
	// needs B-frames with implicit weights (every preset but ultrafast, not lossless) and at
	// most MaxDissolve frames.
	Dissolved
)

// MaxDissolve is the longest fade, in frames, that is Dissolved: both end pictures' picture
// order counts (two a frame) must lie within half the range of pic_order_cnt_lsb, which
// x264 writes in 6 bits with every preset (ffmpeg 5.1, x264 163). A 0.5 s fade at 30 fps is
// 15 frames; longer fades are encoded.
const MaxDissolve = 16

// Making says how the segment's frames are made with encoder enc.
func (sg Segment) Making(enc Encoder) Making {
	switch {
	case sg.hasMotion():
		return Encoded
	case sg.Kind == KindHold && sg.Frames > 1:
		return Repeated
	case sg.Kind == KindTransition && sg.Transition == "fade" && sg.Frames >= 2 && sg.Frames <= MaxDissolve &&
		!enc.Lossless && enc.Preset != "ultrafast":
		return Dissolved
	}
	return Encoded
}

// FirstFrameArgs encodes the first frame of a hold, exactly as SegmentArgs would (the same
// filters and encoder settings, so the same parameter sets), into a raw H.264 stream with
// its SPS and PPS in band, for h264.RepeatMP4.
func FirstFrameArgs(seg Segment, stillPaths []string, outPath string, enc Encoder) []string {
	seg.Frames = 1
	a, _ := segmentEncode(seg, stillPaths, enc, Files{}) // a hold without motion draws no caption files
	return append(a, rawH264(outPath)...)
}

// EndFramesArgs encodes the two end frames of a fade of n frames from still A to still B
// into a raw H.264 stream for h264.CrossfadeMP4. The first is A, as a hold's first frame
// (the same round trip through 4:4:4 that xfade makes, the same encoder settings: the same
// bits, so the join with A's hold is exact). The last is xfade's last frame, A/n + B(n-1)/n,
// so that the decoder's linear blend between the two gives frame k xfade's (n-k)/n A + k/n B.
// One filter thread: mix would start a pool of them for its one frame, which cost more CPU
// than the blend (at 1080p 0.37 CPU s a run against 0.43, the least of 7 runs, the same bytes).
func EndFramesArgs(seg Segment, stillPaths []string, outPath string, enc Encoder) []string {
	fps := seg.FPS
	a := append([]string{"-filter_complex_threads", "1"}, stillInputs(stillPaths, fps)...)
	fc := fmt.Sprintf("[0:v]%s,split[a0][a1];[1:v]%s[b];[a1][b]mix=inputs=2:weights='1 %d'[c];[a0][c]concat=n=2:v=1:a=0[v]",
		ChromaTrip, ChromaTrip, seg.Frames-1)
	a = append(a, "-filter_complex", fc, "-map", "[v]", "-frames:v", "2")
	a = append(a, enc.HoldArgs(fps)...)
	return append(a, rawH264(outPath)...)
}

// TrackTimescale is the MP4 time scale of every segment at fps: what ffmpeg's muxer picks for
// an encoder's 1/fps time base (doubled up to at least 10000), set explicitly so that encoded
// and repeated segments (h264.RepeatMP4) cannot differ: the concat demuxer that joins them
// needs one time base.
func TrackTimescale(fps int) int {
	ts := fps
	for ts < 10000 {
		ts *= 2
	}
	return ts
}

// PosterArgs writes a JPEG at output size from a still: no video decode. The still's YUV is
// read as the BT.709 it is (ffargs.FromBT709).
func PosterArgs(stillPath, outPath string) []string {
	return posterArgs(stillPath, outPath, "scale="+ffargs.FromBT709)
}

// PosterArgsSized is PosterArgs scaled to w x h: a moving slide's still is larger than the
// video.
func PosterArgsSized(stillPath, outPath string, w, h int) []string {
	return posterArgs(stillPath, outPath, fmt.Sprintf("scale=%d:%d:%s", w, h, ffargs.FromBT709))
}

func posterArgs(stillPath, outPath, scale string) []string {
	return []string{"-f", "yuv4mpegpipe", "-i", fileURL(stillPath), "-frames:v", "1",
		"-vf", scale + ",format=yuvj420p", "-q:v", "3", "-f", "image2", "-update", "1", fileURL(outPath)}
}

// AssembleArgs joins the segments of a concat list with a stream copy and muxes the prepared
// AAC (audioPath "" for none). The lengths are exact already: no -shortest.
func AssembleArgs(concatListPath, audioPath, outPath string) []string {
	a := []string{"-f", "concat", "-safe", "0", "-i", fileURL(concatListPath)}
	if audioPath != "" {
		a = append(a, "-i", fileURL(audioPath), "-map", "0:v:0", "-map", "1:a:0")
	} else {
		a = append(a, "-map", "0:v:0")
	}
	return append(a, "-c", "copy", "-movflags", "+faststart", "-f", "mp4", fileURL(outPath))
}

// ConcatList is the concat demuxer's list of paths. Each entry's duration is given so that
// every join lands on the exact frame however the containers round their own durations.
// frames[i] is the length of paths[i]; pass nil to let the demuxer read the durations.
func ConcatList(paths []string, frames []int64, fps int) string {
	var b strings.Builder
	b.WriteString("ffconcat version 1.0\n")
	var at int64
	for i, p := range paths {
		// Inside single quotes nothing is special but the quote itself: close, escape, reopen.
		fmt.Fprintf(&b, "file '%s'\n", strings.ReplaceAll(p, "'", `'\''`))
		if i < len(frames) {
			// Microseconds from the start, rounded once per boundary so that errors never add up.
			us := func(f int64) int64 { return (f*1_000_000 + int64(fps)/2) / int64(fps) }
			d := us(at+frames[i]) - us(at)
			at += frames[i]
			fmt.Fprintf(&b, "duration %d.%06d\n", d/1_000_000, d%1_000_000)
		}
	}
	return b.String()
}

// fileURL keeps ffmpeg from reading a path with a colon as a protocol.
func fileURL(p string) string {
	if strings.HasPrefix(p, "file:") || p == "-" {
		return p
	}
	return "file:" + p
}
