package simvid

import "slices"

// previewLines is the short side a preview aims at: small enough to render in a few
// seconds, large enough to judge the look.
const previewLines = 480

// PreviewOutput is the output of a quick draft of o: the smallest supported size of the same
// shape with a short side of at least 480 (never larger than o), at draft quality.
func PreviewOutput(o Output) Output {
	p := o
	p.Aspect, p.Lines, p.Quality = "", 0, "draft"
	w, h, err := ParseResolution(o.Resolution)
	if err != nil {
		return p
	}
	best, bestShort := o.Resolution, min(w, h)
	for _, r := range slices.Concat(Resolutions, PresetResolutions()) {
		rw, rh, _ := ParseResolution(r)
		short := min(rw, rh)
		if sameShape(rw, rh, w, h) {
			if short >= previewLines && short < bestShort {
				best, bestShort = r, short
			}
		}
	}
	p.Resolution = best
	return p
}

// ForRender is the output a render of o makes: draft quality is a fast preview, so it also
// renders at PreviewOutput's small size; other qualities render o as it is.
func (o Output) ForRender() Output {
	if o.Quality == "draft" {
		return PreviewOutput(o)
	}
	return o
}

// IsPreview reports whether o is what PreviewOutput makes: draft quality at 480 lines or less.
func (o Output) IsPreview() bool {
	w, h, err := ParseResolution(o.Resolution)
	return err == nil && o.Quality == "draft" && min(w, h) <= previewLines
}

// sameShape allows for the rounding of long sides to even numbers (854x480 is 16:9).
func sameShape(w1, h1, w2, h2 int) bool {
	a, b := float64(w1)/float64(h1), float64(w2)/float64(h2)
	return a/b > 0.995 && a/b < 1.005
}

// Frozen is the spec a render of a project whose spec is s snapshots: normalized, at the
// output a render makes. The audio queue plans the same spec to prepare a project's music
// before its render asks for it, so both must come from here to agree on the cache key.
func (s Spec) Frozen() Spec {
	s.Normalize()
	s.Output = s.Output.ForRender()
	return s
}
