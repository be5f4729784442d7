package render

import (
	"fmt"
	"math"
	"slices"

	"github.com/simvid/simvid/pkg/simvid"
)

// beatSync (spec beat_sync) moves every cut onto a beat of the music by setting the slides'
// durations: the music starts with the video (with the title slide, if any) at the clip's
// start, so a beat at b seconds into the track is at b - start in the video, and again every
// clip length later when the music loops. A slide gets the whole number of beats nearest its
// duration, as long as that is at least simvid.MinSlideDuration (a fast tempo gives it
// several beats); a slide whose duration was given (and a title slide, and a clip, which keeps
// its trim) keeps it as a minimum and ends on the next beat. The last cut is the end of the
// video, so the video ends on a beat, where the music's fade-out ends. The cut frames are the
// frames nearest the beats (cutFrames); transitions are centred on them (timeline).
//
// Music with no clear beat (no beats found), no music, or no beat near a slide's end leave
// the durations as asked, and say so in the plan's warnings.
func (p *Plan) beatSync(in *Input) {
	s := &in.Spec
	if !s.BeatSync || len(s.Slides) == 0 {
		return
	}
	if len(s.Audio) == 0 {
		p.Warnings = append(p.Warnings, "beat_sync: there is no music to take the beats from; the slides keep their durations")
		return
	}
	info, ok := in.Audio[s.Audio[0].Asset]
	if !ok {
		return // planAudio says so
	}
	if info.Beats == nil || len(info.Beats.Times) == 0 {
		p.Warnings = append(p.Warnings, "beat_sync: the music has no clear beat; the slides keep their durations")
		return
	}
	var want float64
	for i := range s.Slides {
		want += s.SlideDuration(i)
	}
	grid := videoBeats(s.Audio[0], info, s.Music.Fit, 2*want+2*simvid.MaxSlideDuration)
	if len(grid) == 0 {
		p.Warnings = append(p.Warnings, "beat_sync: the chosen part of the music has no beat; the slides keep their durations")
		return
	}
	// Music fit "slides" has set every duration to end the video with the music: they are
	// targets, not minimums, and the last cut is the last beat before the music ends.
	stretched := s.Music.Fit == "slides"
	slides := slices.Clone(s.Slides) // the caller's spec keeps its durations
	var cut float64                  // the time of the last cut
	var kept []int
	for i := range slides {
		d := s.SlideDuration(i)
		sl := slides[i]
		atLeast := sl.In > 0 || sl.Out > 0 || (sl.Duration > 0 && !stretched)
		b, ok := nextCut(grid, cut, d, atLeast)
		if stretched && i == len(slides)-1 {
			b, ok = lastBeat(grid, cut, want)
		}
		if !ok {
			kept = append(kept, i+1)
			cut += d
			continue
		}
		slides[i].Duration = b - cut
		cut = b
	}
	s.Slides = slides
	if len(kept) > 0 {
		p.Warnings = append(p.Warnings, fmt.Sprintf("beat_sync: no beat of the music near the end of %s %s; kept as asked",
			plural(len(kept), "slide", "slides"), list(kept)))
	}
}

// beatSlack is how far from the requested end a beat may be and still take the cut: further,
// and the music has no beat there (an intro, a break, silence after a trimmed track).
const beatSlack = 2.0

// nextCut picks the beat that ends a slide starting at cut with duration d: the beat nearest
// cut+d at least MinSlideDuration after cut or, with atLeast, the first beat at or after
// cut+d (within a millisecond: beats and durations are in seconds). ok is false when no beat
// lies within max(d, beatSlack) of cut+d.
func nextCut(grid []float64, cut, d float64, atLeast bool) (float64, bool) {
	target := cut + d
	lo := cut + simvid.MinSlideDuration
	if atLeast {
		lo = target - 1e-3
	}
	k, _ := slices.BinarySearch(grid, lo)
	best, found := 0.0, false
	for ; k < len(grid); k++ {
		b := grid[k]
		if found && math.Abs(b-target) >= math.Abs(best-target) {
			break // past the nearest: further beats only get further
		}
		best, found = b, true
		if atLeast {
			break
		}
	}
	if !found || math.Abs(best-target) > max(d, beatSlack) {
		return 0, false
	}
	return best, true
}

// lastBeat is the last beat at or before end (within a frame) at least MinSlideDuration after
// cut.
func lastBeat(grid []float64, cut, end float64) (float64, bool) {
	k, _ := slices.BinarySearch(grid, end+1.0/60)
	if k == 0 || grid[k-1] < cut+simvid.MinSlideDuration {
		return 0, false
	}
	return grid[k-1], true
}

// videoBeats returns the music's beats on the video's timeline, in order, up to horizon
// seconds: those within the clip, shifted by its start, repeated every clip length when the
// music loops. A beat closer than half the typical beat to the one before (where the loop
// joins the clip's end to its start) is dropped.
func videoBeats(clip simvid.AudioClip, info Audio, fit string, horizon float64) []float64 {
	start, end := clip.Start, clip.End
	if end <= 0 || (info.Duration > 0 && end > info.Duration) {
		end = info.Duration
	}
	var one []float64
	for _, b := range info.Beats.Times {
		if b >= start && b < end {
			one = append(one, b-start)
		}
	}
	if len(one) == 0 {
		return nil
	}
	minGap := 0.0
	if info.Beats.Tempo > 0 {
		minGap = 30 / info.Beats.Tempo
	}
	out := slices.Clone(one)
	for k := 1; fit == "loop" && end > start && float64(k)*(end-start) < horizon; k++ {
		for _, b := range one {
			t := b + float64(k)*(end-start)
			if t-out[len(out)-1] >= minGap {
				out = append(out, t)
			}
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// list names slide numbers, the first few of them.
func list(n []int) string {
	s := ""
	for i, v := range n {
		if i == 5 {
			return s + fmt.Sprintf(" and %d more", len(n)-5)
		}
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(v)
	}
	return s
}
