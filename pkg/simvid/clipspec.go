package simvid

import "math"

// Speeds a clip may play at (Slide.Speed; 0 = 1).
const (
	MinClipSpeed = 0.5
	MaxClipSpeed = 2.0
)

// clipSlack is how far past a clip's probed length an out point may lie: containers round
// their durations, and a page's handle at the end may say a millisecond more.
const clipSlack = 0.05

// validateTrim checks a slide's clip fields on their own (field is "slides[3]"): in and out
// are seconds of the clip, out after in, the speed 0.5..2. Whether they fit the clip is
// CheckClipSlide's, which knows the asset.
func (sl *Slide) validateTrim(field string) error {
	for _, v := range []struct {
		name string
		x    float64
	}{{"in", sl.In}, {"out", sl.Out}, {"speed", sl.Speed}} {
		if math.IsNaN(v.x) || math.IsInf(v.x, 0) || v.x < 0 {
			return Errorf(EUnprocessable, "%s.%s must be a number of seconds, 0 or more (got %g)", field, v.name, v.x)
		}
	}
	if sl.Out != 0 && sl.Out <= sl.In {
		return Errorf(EUnprocessable, "%s.out must be after %s.in (got in %g, out %g)", field, field, sl.In, sl.Out)
	}
	if sl.Speed != 0 && (sl.Speed < MinClipSpeed || sl.Speed > MaxClipSpeed) {
		return Errorf(EUnprocessable, "%s.speed must be between %g and %g (got %g)", field, MinClipSpeed, MaxClipSpeed, sl.Speed)
	}
	return nil
}

// HasClipFields reports whether a slide sets anything only a clip has.
func (sl *Slide) HasClipFields() bool {
	return sl.In != 0 || sl.Out != 0 || sl.Speed != 0 || sl.Mute
}

// CheckClipSlide checks a slide's clip fields against its asset a (field is "slides[3]"):
// only a clip has them, and in and out lie within the clip.
func CheckClipSlide(field string, sl *Slide, a *Asset) error {
	if a.Kind != KindClip {
		if sl.HasClipFields() {
			return Errorf(EUnprocessable, "%s: in, out, speed and mute apply to video clips only, and %s is a picture", field, a.ID)
		}
		return nil
	}
	if sl.In >= a.Duration {
		return Errorf(EUnprocessable, "%s.in must be before the end of the clip (%.2f s; got %g)", field, a.Duration, sl.In)
	}
	if sl.Out > a.Duration+clipSlack {
		return Errorf(EUnprocessable, "%s.out must be within the clip (%.2f s; got %g)", field, a.Duration, sl.Out)
	}
	return nil
}
