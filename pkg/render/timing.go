package render

import (
	"fmt"
	"math"
	"strconv"

	"github.com/simvid/simvid/pkg/simvid"
)

// timeline sets every slide's frames and the frames it gives to its transitions.
//
// Every cut is at the frame nearest its exact time: slide i ends at frame round(t_i*fps), where
// t_i is the sum of the durations of slides 0..i, so the video lasts round(sum*fps) frames and
// no cut is off by more than half a frame. (Rounding each slide on its own let the error add
// up: 20 slides of 1.02 s at 25 fps made 520 frames, not 510.) A transition
// of T frames between slides i and i+1 is centred on the cut: floor(T/2) frames come from the
// end of slide i, T-floor(T/2) from the start of slide i+1. A slide never gives more than its
// own frames to its two transitions; when both want more, each side is sure of half.
func (p *Plan) timeline(s *simvid.Spec) {
	n := len(p.Slides)
	want := make([]int64, n) // frames wanted by the transition out of slide i
	dur := s.Transition.Duration
	if dur <= 0 { // the default is "none", yet a slide asks for a transition of its own
		dur = simvid.DefaultTransDur
	}
	ends := cutFrames(s, p.FPS)
	var prev int64
	for i := range p.Slides {
		p.Slides[i].Frames = ends[i] - prev
		prev = ends[i]
		if i < n-1 && s.TransitionOut(i) != "none" {
			want[i] = int64(math.Round(dur * float64(p.FPS)))
		}
	}
	// Budgets come from what the neighbours want before clamping: one pass, no oscillation.
	outBudget := make([]int64, n) // most slide i may give to the transition out of it
	inBudget := make([]int64, n)  // most slide i may give to the transition into it
	for i := range p.Slides {
		d := p.Slides[i].Frames
		var wantIn, wantOut int64
		if i > 0 {
			wantIn = want[i-1] - want[i-1]/2
		}
		wantOut = want[i] / 2
		half := d / 2
		outBudget[i] = min(wantOut, max(d-wantIn, half))
		inBudget[i] = min(wantIn, max(d-wantOut, d-half))
	}
	for i := 0; i < n-1; i++ {
		t := want[i]
		if t == 0 {
			continue
		}
		got := min(t, 2*outBudget[i]+1, 2*inBudget[i+1])
		if got < 2 {
			got = 0
		}
		if got != t {
			p.Warnings = append(p.Warnings, p.shortened(i, t, got, 2*outBudget[i]+1 < 2*inBudget[i+1]))
		}
		p.Slides[i].Out = got / 2
		p.Slides[i+1].In = got - got/2
	}
	var start int64
	for i := range p.Slides {
		p.Slides[i].Start = start
		start += p.Slides[i].Frames
	}
	p.Frames = start
}

// nanosPerSecond is the grain cutFrames times slides in: exact integers, so that a cut half
// way between two frames rounds the same way on every machine, and the sum of a thousand
// slides of 1.01 s is 1010 s, not 1009.9999999999.
const nanosPerSecond = 1_000_000_000

// cutFrames returns, for each slide, the frame its end is cut at: its exact end time (the
// durations summed in nanoseconds) at fps, rounded to the nearest frame, halves up. A slide
// lasts at least one frame (validation keeps slides far longer than that; this only keeps a
// malformed spec from planning a slide of no frames).
func cutFrames(s *simvid.Spec, fps int) []int64 {
	ends := make([]int64, len(s.Slides))
	var ns, prev int64
	for i := range s.Slides {
		ns += int64(math.Round(s.SlideDuration(i) * nanosPerSecond))
		end := (ns*int64(fps) + nanosPerSecond/2) / nanosPerSecond
		ends[i] = max(end, prev+1)
		prev = ends[i]
	}
	return ends
}

// shortened words the warning for a clamped transition between slides i and i+1 (0-based),
// naming the slide whose frames ran out first.
func (p *Plan) shortened(i int, want, got int64, leftShort bool) string {
	why := fmt.Sprintf("slide %d is too short", i+2)
	if leftShort {
		why = fmt.Sprintf("slide %d is too short", i+1)
	}
	if got == 0 {
		return fmt.Sprintf("transition between slide %d and %d replaced by a cut: %s", i+1, i+2, why)
	}
	return fmt.Sprintf("transition between slide %d and %d shortened from %s s to %s s: %s",
		i+1, i+2, p.seconds(want), p.seconds(got), why)
}

func (p *Plan) seconds(frames int64) string {
	v := math.Round(float64(frames)/float64(p.FPS)*100) / 100
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// xfadeNames are transitions every ffmpeg since 4.3 has; "random" picks among them.
var xfadeNames = []string{"fade", "wipeleft", "wiperight", "wipeup", "wipedown", "slideleft",
	"slideright", "slideup", "slidedown", "circlecrop", "rectcrop", "distance", "fadeblack",
	"fadewhite", "radial", "smoothleft", "smoothright", "smoothup", "smoothdown", "circleopen",
	"circleclose", "dissolve", "pixelize", "diagtl", "diagtr", "hlslice", "hrslice"}

// transitionName resolves slide i's transition out of it; "random" is picked from the
// picture's hash so that the same spec always gives the same video (and the same cache keys).
func transitionName(s *simvid.Spec, i int, sha string) string {
	name := s.TransitionOut(i)
	if name != "random" {
		return name
	}
	var h uint32
	for _, c := range sha + strconv.Itoa(i) {
		h = h*31 + uint32(c)
	}
	return xfadeNames[h%uint32(len(xfadeNames))]
}
