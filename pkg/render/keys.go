package render

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
)

// colourStandard names how stills and segments are coloured (ffargs.ToBT709, colourTags):
// stills and segments made before, converted with BT.601 and untagged, are never reused.
const colourStandard = "colour bt709 tv tagged"

// keyOf hashes its parts, each on its own line, after the format version.
func keyOf(parts ...any) string {
	h := sha256.New()
	io.WriteString(h, FormatVersion)
	for _, p := range parts {
		fmt.Fprintf(h, "\n%v", p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// stillKey covers everything that decides a still's pixels. The slides using it are left out:
// the same picture on two slides is decoded once.
func stillKey(st Still, ffmpegVersion string) string {
	parts := []any{"still", colourStandard, st.SHA256, st.Orientation, st.Fit, st.Background,
		ff(st.FocusX), ff(st.FocusY), st.W, st.H, ffmpegVersion}
	if st.Caption != nil { // only then, so that the keys of stills without one stay as they were
		parts = append(parts, "caption", st.Caption.key())
	}
	if st.Lowres > 0 { // other pixels than a full decode makes; other stills keep their keys
		parts = append(parts, "lowres", st.Lowres)
	}
	if c := st.Clip; c != nil && c.Run != nil { // its pixels are the run's frame, wherever At is
		parts = append(parts, clipKey(c.Src), "run", ff(c.Run.From), c.Run.FPS, c.Run.Frame)
	} else if c != nil {
		parts = append(parts, clipKey(c.Src), "at", ff(c.At), c.Last)
	}
	return keyOf(parts...)
}

// segmentKey covers a segment's bytes: its stills (whose keys cover the pictures), its length,
// its transition, the output shape and the encoder. Its place on the timeline is left out,
// so that moving a slide reuses its segments.
func segmentKey(sg Segment, p *Plan, ffmpegVersion string) string {
	enc := p.Encoder.key()
	if sg.fastTuned() && p.Encoder.tunesStatic() {
		enc += " " + staticTuning
	}
	if sg.hasMotion() {
		enc += " " + motionTuning
	}
	parts := []any{"segment", colourStandard, sg.Kind, sg.Frames, sg.Transition, sg.Stills, p.W, p.H, p.FPS,
		enc, ffmpegVersion}
	if sg.hasMotion() {
		// "fed": drawn by package motion, not ffmpeg's perspective filter: other pixels.
		parts = append(parts, "motion fed", movesKey(sg.Moves), captionsKey(sg.Captions))
	}
	if c := sg.Clip; c != nil {
		// The clip's bytes, its part, speed and turn, and how it is fitted (the fit's key
		// without a picture of its own: fit, background, focus, size, caption).
		parts = append(parts, clipKey(c.Src), "from", ff(c.From), "fit", stillKey(c.Fit, ffmpegVersion))
	}
	m := sg.Making(p.Encoder)
	if m != Encoded { // other bytes than encoding every frame
		parts = append(parts, "making", int(m))
	}
	if m == Encoded && sg.Kind == KindTransition && blended420(sg.Transition) {
		// Encoded fades are blended in 4:2:0 (TransitionFilter) since xfade made them: other
		// bytes. Only theirs: the keys of holds and other segments stay as they were.
		parts = append(parts, "fade 4:2:0")
	}
	return keyOf(parts...)
}

// audioKey names the whole music track: its pieces joined.
func audioKey(a *AudioPlan) string {
	parts := []any{"audio", a.Samples()}
	for _, p := range a.Pieces {
		parts = append(parts, p.Key)
	}
	return keyOf(parts...)
}

// finalKey names the finished video: its segments in order and its music.
func (p *Plan) finalKey() string {
	parts := []any{"video", p.FPS}
	for _, sg := range p.Segments {
		parts = append(parts, sg.Key)
	}
	if p.Audio != nil {
		parts = append(parts, p.Audio.Key)
	}
	return keyOf(parts...)
}

// PosterKey names the poster: a JPEG of the first slide's still at the output size.
func (p *Plan) PosterKey() string {
	return keyOf("poster", p.Stills[p.Slides[0].Still].Key, p.W, p.H)
}

// ff formats a float the same way on every machine.
func ff(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// Keys lists every cache key the plan reads or writes: stills, segments and music.
func (p *Plan) Keys() []string {
	var keys []string
	for _, st := range p.Stills {
		keys = append(keys, st.Key)
	}
	for _, sg := range p.Segments {
		keys = append(keys, sg.Key)
	}
	if p.Audio != nil {
		keys = append(keys, p.Audio.Key)
		for _, pc := range p.Audio.Pieces {
			keys = append(keys, pc.Key)
		}
	}
	if len(p.Slides) > 0 {
		keys = append(keys, p.PosterKey())
	}
	return keys
}
