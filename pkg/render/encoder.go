package render

import (
	"strconv"

	"github.com/simvid/simvid/pkg/simvid"
)

// Encoder is the H.264 setting every segment of a render shares, so that the segments join
// with a stream copy. Threads changes how fast, not what: it is not part of cache keys.
type Encoder struct {
	Quality  string // draft, standard, high
	Preset   string
	CRF      int
	Lossless bool // -qp 0: for tests that compare pixels
	MaxRate  int  // kbit/s cap (-maxrate); 0 = none
	BufSize  int  // kbit (-bufsize) of the rate cap
	Threads  int  // -threads; 0 = ffmpeg's default
}

// EncoderFor returns the encoder of a quality; "standard" is what bench/reference.sh uses.
func EncoderFor(quality string, lossless bool) (Encoder, error) {
	e := Encoder{Quality: quality}
	switch quality {
	case "draft":
		e.Preset, e.CRF = "ultrafast", 28
	case "standard":
		e.Preset, e.CRF = "veryfast", 23
	case "high":
		e.Preset, e.CRF = "medium", 20
	default:
		return e, simvid.Errorf(simvid.EUnprocessable, "output.quality %q is not supported", quality)
	}
	if lossless {
		e.Preset, e.CRF, e.Lossless = "ultrafast", 0, true
	}
	return e, nil
}

// staticTuning speeds up x264 on a hold, whose frames are all the same picture, and on a
// transition between two stills, whose frames have no motion to search for: no lookahead,
// macroblock tree, adaptive quantisation or psychovisual passes, the cheapest motion search
// (measured on a 1080p crossfade of two corpus photos: 39% less CPU, 12% more bytes for its
// half second; on a hold it halves the encoder's time). None of these is written in the stream's SPS or PPS (the reference count,
// B-frames, weighted prediction, CABAC and 8x8 transform stay the preset's), so a hold still
// joins its neighbours with a stream copy; a test compares the parameter sets. It halves the
// encoder's time on a still. Only the fast presets take it: from subme 6 up x264 lowers the
// chroma QP offset (in the PPS) for psychovisual RD, which the tuning turns off. Lossless
// segments keep the plain preset.
const staticTuning = "rc-lookahead=0:mbtree=0:me=dia:subme=0:trellis=0:b-adapt=0:scenecut=0:psy=0:aq-mode=0"

// Args returns the output options of a segment at fps frames a second.
func (e Encoder) Args(fps int) []string { return e.args(fps, false) }

// motionTuning is what a segment with a moving slide adds to Args: no frames buffered for a
// look-ahead thread beyond the look-ahead itself. With frame threads x264 keeps sync-lookahead
// frames (its default: one per thread and per B-frame) more in flight, about 10 MB each at
// 1080p, 30 MB of the encoder's 265 (measured with 2 threads); the frames it decides on and
// the bitstream are the same (the same size to the byte on a 60-frame zoom), the SEI that
// lists the options aside. Not in the SPS or PPS: such segments still join the others.
const motionTuning = "sync-lookahead=0"

// MotionArgs returns the output options of a segment with a moving slide: Args with
// motionTuning.
func (e Encoder) MotionArgs(fps int) []string {
	a := e.args(fps, false)
	return append(a[:4:4], append([]string{"-x264-params", motionTuning}, a[4:]...)...)
}

// HoldArgs returns the output options of a segment without motion (a hold, a transition
// between stills): Args with staticTuning.
func (e Encoder) HoldArgs(fps int) []string { return e.args(fps, true) }

// tunesStatic reports whether holds get staticTuning with this encoder.
func (e Encoder) tunesStatic() bool {
	return !e.Lossless && (e.Preset == "ultrafast" || e.Preset == "superfast" || e.Preset == "veryfast")
}

func (e Encoder) args(fps int, static bool) []string {
	a := []string{"-c:v", "libx264", "-preset", e.Preset}
	if static && e.tunesStatic() {
		a = append(a, "-x264-params", staticTuning)
	}
	if e.Lossless {
		a = append(a, "-qp", "0")
	} else {
		a = append(a, "-crf", strconv.Itoa(e.CRF))
		if e.MaxRate > 0 {
			a = append(a, "-maxrate", strconv.Itoa(e.MaxRate)+"k", "-bufsize", strconv.Itoa(e.BufSize)+"k")
		}
	}
	a = append(a, "-pix_fmt", "yuv420p", "-r", strconv.Itoa(fps))
	a = append(a, colourTags...)
	if e.Threads > 0 {
		a = append(a, "-threads", strconv.Itoa(e.Threads))
	}
	return a
}

// colourTags are the VUI every segment's SPS carries: BT.709 limited range, what the stills
// and the clips' frames are converted to (ffargs.ToBT709), so that players read the colours
// as they were made rather than guess; chroma sited at the centre, as the stills' YUV4MPEG
// 420jpeg says. Set on the encoder they override whatever a segment's frames carry (a clip's,
// a still's, or none from a motion segment's raw input), so every segment's SPS is the same
// and they still join by a copy.
var colourTags = []string{"-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
	"-color_range", "tv", "-chroma_sample_location", "center"}

func (e Encoder) key() string {
	return "libx264 " + e.Preset + " crf=" + strconv.Itoa(e.CRF) + " lossless=" + strconv.FormatBool(e.Lossless) +
		" maxrate=" + strconv.Itoa(e.MaxRate) + " bufsize=" + strconv.Itoa(e.BufSize)
}

// fastTuned reports whether a segment is encoded with staticTuning: every segment whose
// stills do not move (motion needs the full motion search).
func (sg Segment) fastTuned() bool { return !sg.hasMotion() && sg.Kind != KindClip }
