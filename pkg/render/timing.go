package render

import (
	"fmt"
	"math"
	"strconv"

	"github.com/simvid/simvid/pkg/simvid"
)

// timeline sets every slide's frames and the frames it gives to its transitions.
//
// Slide i lasts D_i = round(duration_i*fps) frames and the video lasts sum(D_i). A transition
// of T frames between slides i and i+1 is centred on the cut: floor(T/2) frames come from the
// end of slide i, T-floor(T/2) from the start of slide i+1. A slide never gives more than its
// own frames to its two transitions; when both want more, each side is sure of half.
func (p *Video) timeline(s *simvid.Spec) {
	n := len(p.Slides)
	want := make([]int64, n) // frames wanted by the transition out of slide i
	dur := s.Transition.Duration
	if dur <= 0 { // the default is "none", yet a slide asks for a transition of its own
		dur = simvid.DefaultTransDur
	}
	for i := range p.Slides {
		p.Slides[i].Frames = max(1, int64(math.Round(s.SlideDuration(i)*float64(p.FPS))))
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

// shortened words the warning for a clamped transition between slides i and i+1 (0-based),
// naming the slide whose frames ran out first.
func (p *Video) shortened(i int, want, got int64, leftShort bool) string {
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

func (p *Video) seconds(frames int64) string {
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
