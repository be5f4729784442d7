package render

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The keyframes of a slot's bitstream segments (a hold's first frame, a fade's end frames:
// FirstFrameArgs, EndFramesArgs) were each an ffmpeg and an x264 of their own, or several
// x264 in one ffmpeg (BatchArgs), which keeps every one of them alive until it exits (52 MB a
// 1080p fade). KeyframesFeedArgs makes them all with one x264: the stills come on a pipe one
// after another, each segment starts at a forced IDR, and the stream is cut there again
// (h264.SplitKeyframes). The frames x264 sees are the ones each run alone gives it (the same
// chroma round trip, a fade's last picture the same mix); the bits are not quite the same
// (the run has no rate cap, see KeyframesFeedArgs, and x264's rate control carries from one
// picture to the next within an encoder: an IDR after a P picture takes its quantiser from
// the P pictures before it). Measured on six 1080p corpus stills, 30 runs of
// holds and fades in turn, standard quality: SSIM 0.991 or more frame by frame against the
// runs alone, 0.97 of their bytes.

// FedKeyframes reports whether sg's keyframes can be made by KeyframesFeedArgs with enc: a
// Repeated hold or a Dissolved fade with the still-picture tuning, whose encoder keeps no
// look-ahead (so that nothing it decides for one segment waits for, or depends on, the next).
func FedKeyframes(sg Segment, enc Encoder) bool {
	m := sg.Making(enc)
	return enc.tunesStatic() && sg.Kind != KindClip && !sg.hasMotion() &&
		((m == Repeated && len(sg.Stills) == 1) || (m == Dissolved && len(sg.Stills) == 2))
}

// KeyframesFeedArgs encodes the keyframes of segs (each FedKeyframes, of one frame rate) in
// one ffmpeg to a raw H.264 stream: its input, on FedFD as yuv4mpegpipe, is each segment's
// stills in order (a hold's still; a fade's first, then its second), and its output for each
// segment, from an IDR with its SPS and PPS, is what FirstFrameArgs or EndFramesArgs writes
// for it alone from the same frames (see above). Without the rate cap: x264 counts the pictures
// 1/fps apart, so back to back a slot's keyframes would drain its buffer (at 1080p 8 Mbit/s
// some 270 kbit a frame, a photo's IDR is 1 to 3 Mbit) and later ones be coded coarser, as no
// keyframe is in the video; a run alone starts with the buffer 90% full and a keyframe fits.
// The cap is not in the SPS or PPS (it only ever raises the level, which these rates never
// reach), so the segments join the others.
func KeyframesFeedArgs(segs []Segment, outPath string, enc Encoder) []string {
	fps := segs[0].FPS
	var (
		pts, keys []string
		frames    int64
		blends    = map[int64][]string{} // a fade's second frame, by its mix weight
	)
	for _, sg := range segs {
		keys = append(keys, strconv.FormatFloat((float64(frames)-0.25)/float64(fps), 'f', 6, 64))
		frames++
		if len(sg.Stills) == 2 {
			eq := "eq(pts," + strconv.FormatInt(frames, 10) + ")"
			blends[sg.Frames-1] = append(blends[sg.Frames-1], eq)
			pts = append(pts, eq)
			frames++
		}
	}
	head := fmt.Sprintf("[0:v]%s,settb=1/%d,setpts=N", ChromaTrip, fps)
	var fc string
	if len(blends) == 0 {
		fc = head + "[v]"
	} else {
		// A fade's last picture is the mix of its two stills (EndFramesArgs): tmix of its
		// second still with the frame before it, the fade's first; every other frame goes
		// through as it is, and interleave puts them back in order. The tmix output that
		// is kept has the second still's timestamp: select by it (pts is the frame's index).
		weights := make([]int64, 0, len(blends))
		for w := range blends {
			weights = append(weights, w)
		}
		sort.Slice(weights, func(i, j int) bool { return weights[i] < weights[j] })
		fc = fmt.Sprintf("%s,split=%d[p]", head, len(weights)+1)
		for i := range weights {
			fc += fmt.Sprintf("[t%d]", i)
		}
		fc += fmt.Sprintf(";[p]select='not(%s)'[q]", strings.Join(pts, "+"))
		ins := "[q]"
		for i, w := range weights {
			fc += fmt.Sprintf(";[t%d]tmix=frames=2:weights='1 %d',select='%s'[m%d]", i, w, strings.Join(blends[w], "+"), i)
			ins += fmt.Sprintf("[m%d]", i)
		}
		fc += fmt.Sprintf(";%sinterleave=nb_inputs=%d[v]", ins, len(weights)+1)
	}
	enc.MaxRate, enc.BufSize = 0, 0
	a := []string{"-filter_complex_threads", "1", "-r", strconv.Itoa(fps), "-f", "yuv4mpegpipe",
		"-i", fmt.Sprintf("pipe:%d", FedFD), "-filter_complex", fc, "-map", "[v]",
		"-frames:v", strconv.FormatInt(frames, 10)}
	a = append(a, enc.HoldArgs(fps)...)
	a = append(a, "-force_key_frames", strings.Join(keys, ","))
	return append(a, rawH264(outPath)...)
}
