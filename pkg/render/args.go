package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/simvid/simvid/pkg/ffmpeg"
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
	graph := StillFilter(st, "[0:v]")
	if st.Caption != nil {
		dt, err := st.Caption.filter(f)
		if err != nil {
			return nil, err
		}
		graph = strings.TrimSuffix(graph, "[v]") + "," + dt + "[v]"
	}
	input := ffmpeg.PictureInput(fileURL(srcPath))
	if st.Fit == FitColor {
		if !colorRE.MatchString(st.Background) {
			return nil, fmt.Errorf("render: background %q is not a colour", st.Background)
		}
		input = []string{"-f", "lavfi", "-i", fmt.Sprintf("color=c=0x%s:s=%dx%d:d=1",
			strings.TrimPrefix(st.Background, "#"), st.W, st.H)}
	}
	return append(input, "-frames:v", "1",
		"-filter_complex", graph, "-map", "[v]", "-an", "-f", "yuv4mpegpipe", fileURL(outPath)), nil
}

// StillFilter is the filter graph from the picture's pad in (such as [0:v], decoded with
// -noautorotate) to [v]: upright, fitted to WxH, yuv420p, written as a yuv4mpegpipe still.
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
func stillFilter(st Still, in, tap string) string {
	src := in
	if o := ffmpeg.OrientFilter(st.Orientation); o != "" {
		src += o + ","
	}
	w, h := st.W, st.H
	if st.Fit == FitColor {
		return in + "setsar=1,format=yuv420p[v]"
	}
	contain := fmt.Sprintf("scale=%d:%d:force_original_aspect_ratio=decrease:force_divisible_by=2", w, h)
	tail := "setsar=1,format=yuv420p[v]"
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
			"[b]scale=%d:%d:force_original_aspect_ratio=increase,crop=%d:%d,gblur=sigma=6,scale=%d:%d[bg];"+
			"[f]%s%s;[bg][fg]overlay=(W-w)/2:(H-h)/2,%s",
			src, bw, bh, bw, bh, w, h, contain, fg, tail)
	case "cover":
		return fmt.Sprintf("%sscale=%d:%d:force_original_aspect_ratio=increase%scrop=%d:%d:(iw-ow)*%s:(ih-oh)*%s,%s",
			src, w, h, next, w, h, ff(st.FocusX), ff(st.FocusY), tail)
	}
	return fmt.Sprintf("%s%s%spad=%d:%d:(ow-iw)/2:(oh-ih)/2:color=0x%s,%s",
		src, contain, next, w, h, strings.TrimPrefix(st.Background, "#"), tail)
}

func even(n int) int { return max(2, n&^1) }

// SegmentArgs renders one segment to exactly seg.Frames frames. stillPaths are the files of
// seg.Stills, in order. A hold loops its still; a transition loops both stills over the
// transition's length into xfade starting at once.
func SegmentArgs(seg Segment, stillPaths []string, outPath string, enc Encoder) []string {
	a, _ := SegmentArgsWith(seg, stillPaths, outPath, enc, Files{})
	return a
}

// SegmentArgsWith is SegmentArgs that also draws the captions of moving slides from the
// files in f. A segment with motion moves its stills' windows frame by frame (see Move).
func SegmentArgsWith(seg Segment, stillPaths []string, outPath string, enc Encoder, f Files) ([]string, error) {
	n, fps := seg.Frames, seg.FPS
	loop := fmt.Sprintf("loop=loop=%d:size=1:start=0,settb=1/%d,setpts=N/%d/TB", n-1, fps, fps)
	var a []string
	for _, p := range stillPaths {
		// The rate a still was written with comes from its picture (a GIF says 10, others
		// 25); xfade refuses inputs whose rates differ, so every still is read at the output's.
		a = append(a, "-r", strconv.Itoa(fps), "-f", "yuv4mpegpipe", "-i", fileURL(p))
	}
	// ffmpeg 5.1's xfade works in yuv444p only: every transition frame, and in a single-pass
	// render every frame, goes 420 -> 444 -> 420. A hold takes the same round trip once, before
	// looping, so that its chroma matches the transitions at the joins (and a single pass).
	fc := "[0:v]format=yuv444p,format=yuv420p," + loop + "[v]"
	if seg.Kind == KindTransition {
		fc = fmt.Sprintf("[0:v]%s[a];[1:v]%s[b];[a][b]xfade=transition=%s:duration=%.6f:offset=0[v]",
			loop, loop, seg.Transition, float64(n)/float64(fps))
	}
	if seg.hasMotion() {
		var err error
		fc = motionGraph(seg, loop, func(i int) string {
			if i >= len(seg.Captions) {
				return ""
			}
			dt, e := seg.Captions[i].filter(f)
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
		a = append(a, enc.HoldArgs(fps)...)
	} else {
		a = append(a, enc.Args(fps)...)
	}
	return append(a, "-an", "-f", "mp4", fileURL(outPath)), nil
}

// PosterArgs writes a JPEG at output size from a still: no video decode.
func PosterArgs(stillPath, outPath string) []string {
	return []string{"-f", "yuv4mpegpipe", "-i", fileURL(stillPath), "-frames:v", "1",
		"-q:v", "3", "-f", "image2", "-update", "1", fileURL(outPath)}
}

// PosterArgsSized is PosterArgs scaled to w x h: a moving slide's still is larger than the
// video.
func PosterArgsSized(stillPath, outPath string, w, h int) []string {
	a := PosterArgs(stillPath, outPath)
	return append(a[:len(a)-1], "-vf", fmt.Sprintf("scale=%d:%d", w, h), a[len(a)-1])
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
