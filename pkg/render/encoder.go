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

// Args returns the output options of a segment at fps frames a second.
func (e Encoder) Args(fps int) []string {
	a := []string{"-c:v", "libx264", "-preset", e.Preset}
	if e.Lossless {
		a = append(a, "-qp", "0")
	} else {
		a = append(a, "-crf", strconv.Itoa(e.CRF))
	}
	a = append(a, "-pix_fmt", "yuv420p", "-r", strconv.Itoa(fps))
	if e.Threads > 0 {
		a = append(a, "-threads", strconv.Itoa(e.Threads))
	}
	return a
}

func (e Encoder) key() string {
	return "libx264 " + e.Preset + " crf=" + strconv.Itoa(e.CRF) + " lossless=" + strconv.FormatBool(e.Lossless)
}
