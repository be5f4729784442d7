package simvid

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// Aspect presets: a shape and a number of lines (the short side) instead of an exact size.
var (
	Aspects    = []string{"16:9", "9:16", "1:1", "4:5"}
	Lines      = []int{480, 720, 1080, 1440, 2160}
	FrameRates = []int{24, 25, 30, 60}
)

// DefaultLines is the short side of an aspect preset given without lines.
const DefaultLines = 1080

// AspectSize returns the size of an aspect preset: the short side is lines, the long side
// follows the ratio, rounded to even (16:9 at 480 lines is 854x480, 4:5 at 1080 is 1080x1350).
func AspectSize(aspect string, lines int) (w, h int, err error) {
	if !slices.Contains(Aspects, aspect) {
		return 0, 0, Errorf(EUnprocessable, "output.aspect must be one of %s (got %q)", strings.Join(Aspects, ", "), aspect)
	}
	if !slices.Contains(Lines, lines) {
		return 0, 0, Errorf(EUnprocessable, "output.lines must be one of %s (got %d)", joinInts(Lines), lines)
	}
	a, b, _ := strings.Cut(aspect, ":")
	rw, _ := strconv.Atoi(a)
	rh, _ := strconv.Atoi(b)
	long := func(r float64) int { return 2 * int(math.Round(float64(lines)*r/2)) }
	if rw >= rh {
		return long(float64(rw) / float64(rh)), lines, nil
	}
	return lines, long(float64(rh) / float64(rw)), nil
}

// PresetResolutions lists every size an aspect preset makes, in preset order.
func PresetResolutions() []string {
	var out []string
	for _, a := range Aspects {
		for _, l := range Lines {
			w, h, _ := AspectSize(a, l)
			out = append(out, strconv.Itoa(w)+"x"+strconv.Itoa(h))
		}
	}
	return out
}

// normalizeAspect sets the resolution from an aspect preset; an invalid preset is left for
// Validate to name.
func (o *Output) normalizeAspect() {
	if o.Aspect == "" {
		return
	}
	if o.Lines == 0 {
		o.Lines = DefaultLines
	}
	if w, h, err := AspectSize(o.Aspect, o.Lines); err == nil {
		o.Resolution = strconv.Itoa(w) + "x" + strconv.Itoa(h)
	}
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
