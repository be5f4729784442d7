package render

import (
	"math"
	"slices"

	"github.com/simvid/simvid/pkg/simvid"
)

// LoudnessTarget is what music normalisation aims at, in LUFS.
const LoudnessTarget = -16

// loudnorm normalises the clip in one pass. Measured against two passes (measure, then a
// linear gain) with ebur128 on the AAC output: a steady tone -16.0 and -16.0 LUFS, pink
// noise -16.3 and -16.3, a tone jumping 24 dB halfway -16.1 and -16.0. One pass is within
// 0.3 LU of the target every time, so the music is decoded once, not twice. loudnorm works
// at 192 kHz; the resample brings it back before the loop counts samples.
const loudnorm = "loudnorm=I=-16:TP=-1.5:LRA=11,aresample=48000,aformat=sample_rates=48000:channel_layouts=stereo"

// stretchToMusic sets every slide's duration, for music fit "slides", so that the slides end
// with the music and keep their relative lengths. Frames are shared out by rounding the
// running total, so the video lasts the music's length rounded to one frame.
func stretchToMusic(in *Input) error {
	s := &in.Spec
	if s.Music.Fit != "slides" || len(s.Audio) == 0 || len(s.Slides) == 0 {
		return nil
	}
	clip := s.Audio[0]
	info, ok := in.Audio[clip.Asset]
	if !ok {
		return nil // planAudio says so
	}
	end := clip.End
	if end <= 0 || (info.Duration > 0 && end > info.Duration) {
		end = info.Duration
	}
	fps := float64(s.Output.FPS)
	target := int64(math.Round((end - clip.Start) * fps))
	if target < int64(len(s.Slides)) {
		return simvid.Errorf(simvid.EUnprocessable, "the music is too short to stretch %d slides over", len(s.Slides))
	}
	total := 0.0
	for i := range s.Slides {
		total += s.SlideDuration(i)
	}
	slides := slices.Clone(s.Slides) // the caller's spec keeps its durations
	var cum float64
	var prev int64
	for i := range slides {
		cum += s.SlideDuration(i)
		at := int64(math.Round(cum / total * float64(target)))
		if at <= prev {
			return simvid.Errorf(simvid.EUnprocessable, "slide %d would last no frame once stretched to the music", i+1)
		}
		slides[i].Duration = float64(at-prev) / fps
		prev = at
	}
	s.Slides = slides
	return nil
}
