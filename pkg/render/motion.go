package render

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/simvid/simvid/pkg/simvid"
)

// KindMotion is the hold of a moving slide: every frame differs, so it is encoded like a
// transition (no still-picture tuning).
const KindMotion = "motion"

// autoMotions is the cycle "auto" walks through: neighbours in it always differ.
var autoMotions = []string{"zoom-in", "pan-right", "zoom-out", "pan-left", "zoom-in", "pan-up", "zoom-out", "pan-down"}

// resolveMotions returns every slide's motion with "auto" resolved: slide i takes the cycle's
// i-th entry, or the one after it when that would repeat the slide before.
func resolveMotions(s *simvid.Spec) []string {
	out := make([]string, len(s.Slides))
	for i := range s.Slides {
		m := s.SlideMotion(i)
		if m == "auto" {
			j := i % len(autoMotions)
			m = autoMotions[j]
			if i > 0 && out[i-1] == m {
				m = autoMotions[(j+1)%len(autoMotions)]
			}
		}
		out[i] = m
	}
	return out
}

// Move is a slide's Ken Burns motion over the frames of one segment. The picture is read
// from a still supersampled by the zoom factor (so the most zoomed frame is still 1:1) and
// each frame shows a window of it that moves linearly with the slide's frame number. The
// window's corners are real numbers: the engine draws each frame from the still between
// pixels (package motion) and feeds it to ffmpeg as raw video, so the motion has no integer
// steps (zoompan rounds its window to even pixels, which jitters). It did this in ffmpeg
// with the perspective filter at the still's size and a scale to the output's: 35 ms of CPU
// a 1080p frame, more than x264's own 25 (see docs/performance.md, Motion).
type Move struct {
	Name   string
	From   int64      // the segment's first frame within the slide's motion
	Total  int64      // the frames the slide is seen: its own and its transitions' outer halves
	SW, SH int        // the still's size
	W, H   int        // the output's size
	Start  [4]float64 // window x, y, w, h in still pixels at the slide's first frame
	End    [4]float64 // ... and at its last frame
}

// superSize is the size of a moving slide's still.
func superSize(w, h int, strength float64) (int, int) {
	return even(int(math.Round(float64(w) * (1 + strength)))), even(int(math.Round(float64(h) * (1 + strength))))
}

// newMove works out the windows of a motion over a still of sw x sh made for w x h output.
// fx, fy (0..1) is where a zoom aims.
func newMove(name string, total int64, sw, sh, w, h int, strength, fx, fy float64) *Move {
	m := &Move{Name: name, Total: total, SW: sw, SH: sh, W: w, H: h}
	full := [4]float64{0, 0, float64(sw), float64(sh)}
	zw, zh := float64(sw)/(1+strength), float64(sh)/(1+strength)
	clamp := func(v, hi float64) float64 { return math.Max(0, math.Min(v, hi)) }
	zx, zy := clamp(fx*float64(sw)-zw/2, float64(sw)-zw), clamp(fy*float64(sh)-zh/2, float64(sh)-zh)
	zoomed := [4]float64{zx, zy, zw, zh}
	cx, cy := (float64(sw)-zw)/2, (float64(sh)-zh)/2
	switch name {
	case "zoom-in":
		m.Start, m.End = full, zoomed
	case "zoom-out":
		m.Start, m.End = zoomed, full
	case "pan-left": // the picture drifts left: the window moves right
		m.Start, m.End = [4]float64{0, cy, zw, zh}, [4]float64{float64(sw) - zw, cy, zw, zh}
	case "pan-right":
		m.Start, m.End = [4]float64{float64(sw) - zw, cy, zw, zh}, [4]float64{0, cy, zw, zh}
	case "pan-up": // the picture drifts up: the window moves down
		m.Start, m.End = [4]float64{cx, 0, zw, zh}, [4]float64{cx, float64(sh) - zh, zw, zh}
	case "pan-down":
		m.Start, m.End = [4]float64{cx, float64(sh) - zh, zw, zh}, [4]float64{cx, 0, zw, zh}
	default:
		return nil
	}
	return m
}

// at returns the move starting from frame from of the slide (a copy).
func (m *Move) at(from int64) *Move {
	if m == nil {
		return nil
	}
	c := *m
	c.From = from
	return &c
}

// key is the move's part of a segment's cache key.
func (m *Move) key() string {
	if m == nil {
		return "-"
	}
	return fmt.Sprintf("%s %d %d %dx%d %dx%d %v %v", m.Name, m.From, m.Total, m.SW, m.SH, m.W, m.H, m.Start, m.End)
}

// Window returns the window x, y, w, h in still pixels at frame on of the segment.
func (m *Move) Window(on int64) [4]float64 {
	t := float64(on+m.From) / float64(max(1, m.Total-1))
	var w [4]float64
	for i := range w {
		w[i] = m.Start[i] + (m.End[i]-m.Start[i])*t
	}
	return w
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

func signed(v float64) string {
	if v < 0 {
		return num(v)
	}
	return "+" + num(v)
}

// motionGraph is the filter graph of a segment with a moving slide, from its inputs to [v]:
// a moving slide's input is its frames already moved, at output size (MotionArgs); a still
// slide's is its looped still. caption(i) is the drawtext chain of input i's slide ("" for
// none).
func motionGraph(seg Segment, loop string, caption func(i int) string) string {
	chain := func(i int) string {
		c := fmt.Sprintf("[%d:v]setsar=1", i)
		if i >= len(seg.Moves) || seg.Moves[i] == nil {
			// A still slide's side of the transition: its chroma as in its hold.
			c = fmt.Sprintf("[%d:v]%s%s", i, TransitionInput(seg.Transition), loop)
		}
		if t := caption(i); t != "" {
			c += "," + t
		}
		return c
	}
	if seg.Kind != KindTransition || seg.FedFade() {
		return chain(0) + "[v]"
	}
	return fmt.Sprintf("%s[a];%s[b];%s", chain(0), chain(1), TransitionFilter(seg.Transition, seg.Frames, seg.FPS, "a", "b", "v"))
}

// FedFD is the file descriptor ffmpeg reads the frames of a segment's first moving slide
// from (pipe:3); the second's, in a transition between two, is the next one.
const FedFD = 3

// FedFade reports whether the segment is a fade between two moving slides without captions:
// the caller blends the two moving pictures itself (frame k of n shows the second at k/n,
// as TransitionFilter does) and feeds ffmpeg one stream, on FedFD. ffmpeg given the two
// streams held about 70 MB more (a second input's queue, the fade's alpha plane, the
// overlay's waiting frames) on top of its encoder.
func (sg Segment) FedFade() bool {
	return sg.Kind == KindTransition && blended420(sg.Transition) && sg.Moving(0) && sg.Moving(1) &&
		(len(sg.Captions) < 2 || (sg.Captions[0] == nil && sg.Captions[1] == nil))
}

// Moving reports whether input i of the segment is a moving slide, whose frames the caller
// draws (the window of frame k is Moves[i].Window(k)) and feeds to ffmpeg as rawvideo
// yuv420p at the output's size: the first such input on FedFD, the next on FedFD+1.
func (sg Segment) Moving(i int) bool { return i < len(sg.Moves) && sg.Moves[i] != nil }

// hasMotion reports whether a segment needs motionGraph: a moving slide, or a caption drawn
// over one.
func (sg Segment) hasMotion() bool {
	for _, m := range sg.Moves {
		if m != nil {
			return true
		}
	}
	return false
}

// motionChunk is the longest motion segment, in seconds: every frame of a moving slide costs
// a resample and a full encode, so a long one is cut into parts that render in parallel on
// a farm's workers (each part starts its window at its own frame, so the motion runs on
// across the joins). On one host they do not: one moving segment encodes at a time (the
// engine's motion slot), and each part is an ffmpeg and an x264 started again, about 0.85 s
// of CPU at 1080p (84 frames in one x264 2.6 s, in two 3.4 s). At 2 s, every hold of a 3 s
// slide was two parts.
const motionChunk = 4

// splitMotion cuts a motion hold into parts of at most motionChunk seconds, of near equal
// length; other segments come back whole.
func splitMotion(sg Segment, fps int) []Segment {
	most := int64(motionChunk * fps)
	if sg.Kind != KindMotion || sg.Frames <= most {
		return []Segment{sg}
	}
	n := (sg.Frames + most - 1) / most
	var out []Segment
	var done int64
	for i := int64(0); i < n; i++ {
		part := sg
		part.Frames = (sg.Frames*(i+1))/n - done
		part.Start = sg.Start + done
		part.Moves = []*Move{sg.Moves[0].at(sg.Moves[0].From + done)}
		done += part.Frames
		out = append(out, part)
	}
	return out
}

func movesKey(ms []*Move) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.key()
	}
	return strings.Join(parts, "|")
}

// FedAlone reports whether the segment is its fed frames and nothing else: a moving hold
// without a caption, or a FedFade. ffmpeg only encodes such a segment's frames, so a run of
// them can share one ffmpeg and one x264 (RunArgs).
func (sg Segment) FedAlone() bool {
	if sg.FedFade() {
		return true
	}
	return sg.Kind == KindMotion && len(sg.Stills) == 1 && sg.Moving(0) &&
		(len(sg.Captions) == 0 || sg.Captions[0] == nil)
}

// FedRunJoins reports whether next, after prev, goes into the same run of FedAlone segments
// that one ffmpeg encodes (RunArgs): both fed alone, of one size and rate.
func FedRunJoins(prev, next Segment) bool {
	if !prev.FedAlone() || !next.FedAlone() {
		return false
	}
	a, b := prev.Moves[0], next.Moves[0]
	return a.W == b.W && a.H == b.H && prev.FPS == next.FPS
}

// RunArgs encodes a run of FedAlone segments of one size and rate in one ffmpeg: their frames
// come back to back on FedFD, a keyframe is forced where each starts, and the segment muxer
// cuts the stream there into outPattern's files (%d numbered from 0, one per segment), each as
// SegmentArgs would write it: the same encoder settings and parameter sets, an IDR first,
// timestamps from 0, the same track timescale. Every start of ffmpeg and x264 costs 0.4 to
// 0.85 s of CPU at 1080p, and x264's look-ahead starts cold in each; a motion show was one
// start per segment (docs/performance.md, Motion).
func RunArgs(segs []Segment, outPattern string, enc Encoder) []string {
	first := segs[0]
	fps, m := first.FPS, first.Moves[0]
	var total int64
	var keys, cuts []string
	for i, sg := range segs {
		if i > 0 {
			// Half a frame early: ffmpeg forces the first frame at or after the time, and
			// rounds it to the encoder's time base, 1/fps, to the nearest frame.
			keys = append(keys, strconv.FormatFloat((float64(total)-0.25)/float64(fps), 'f', 6, 64))
			cuts = append(cuts, strconv.FormatInt(total, 10))
		}
		total += sg.Frames
	}
	a := []string{"-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", fmt.Sprintf("%dx%d", m.W, m.H),
		"-r", strconv.Itoa(fps), "-i", fmt.Sprintf("pipe:%d", FedFD),
		"-filter_complex", "[0:v]setsar=1[v]", "-map", "[v]", "-frames:v", strconv.FormatInt(total, 10)}
	a = append(a, enc.MotionArgs(fps)...)
	if len(keys) > 0 {
		a = append(a, "-force_key_frames", strings.Join(keys, ","))
	}
	// Timestamps as the segment's own mp4 has them: the segment muxer would otherwise shift
	// the first part's so that no DTS is negative, and mp4 give it an empty edit, which
	// mp4.Join does not take.
	a = append(a, "-an", "-avoid_negative_ts", "disabled", "-f", "segment", "-segment_format", "mp4",
		"-segment_format_options", "video_track_timescale="+strconv.Itoa(TrackTimescale(fps)),
		"-reset_timestamps", "1")
	if len(cuts) > 0 {
		a = append(a, "-segment_frames", strings.Join(cuts, ","))
	} else {
		a = append(a, "-segment_time", "1e9")
	}
	return append(a, fileURL(outPattern))
}
