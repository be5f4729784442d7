package render

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
)

// beatInput is n picture slides of the default duration d (no duration of their own) over a
// track of the given length whose beats are every period seconds from first.
func beatInput(n int, d, period, first, trackSeconds float64) Input {
	in := input(repeat(0, n), "fade", 0.4)
	in.Spec.Defaults.Duration = d
	in.Spec.BeatSync = true
	id := simvid.NewID(simvid.PrefixAudio)
	in.Spec.Audio = []simvid.AudioClip{{Asset: id}}
	b := &simvid.Beats{Tempo: 60 / period}
	for t := first; t < trackSeconds; t += period {
		b.Times = append(b.Times, t)
	}
	in.Audio[id] = Audio{SHA256: "music", Duration: trackSeconds, Beats: b}
	return in
}

// cutsOnGrid checks every cut (and the end) is at the frame nearest a beat of the video's
// grid, and returns how many beats each slide spans.
func cutsOnGrid(t *testing.T, p *Plan, grid []float64) []int {
	t.Helper()
	checkInvariants(t, p)
	var spans []int
	prev := -1
	for i, sl := range p.Slides {
		end := sl.Start + sl.Frames
		k := slices.IndexFunc(grid, func(b float64) bool { return int64(math.Round(b*float64(p.FPS))) == end })
		if k < 0 {
			t.Fatalf("slide %d ends at frame %d, on no beat (grid %v)", i+1, end, grid[:min(len(grid), 12)])
		}
		spans = append(spans, k-prev)
		prev = k
	}
	return spans
}

func TestBeatSyncNearestWholeBeats(t *testing.T) {
	t.Parallel()
	// 100 BPM (0.6 s), the first beat at 0.37 s; 2.5 s slides are 4 beats (2.4 s), the first
	// slide ends on the beat nearest 2.5 s (0.37 + 3×0.6 = 2.17 or 2.77: 2.77).
	in := beatInput(8, 2.5, 0.6, 0.37, 60)
	p, err := NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	grid := videoBeats(in.Spec.Audio[0], in.Audio[in.Spec.Audio[0].Asset], "loop", 100)
	spans := cutsOnGrid(t, p, grid)
	if want := []int{5, 4, 4, 4, 4, 4, 4, 4}; !slices.Equal(spans, want) {
		t.Errorf("beats per slide %v, want %v", spans, want)
	}
	if end := 0.37 + 4*0.6 + 7*4*0.6; p.Frames != int64(math.Round(end*30)) {
		t.Errorf("video lasts %d frames, want it to end on the beat at %.2f s", p.Frames, end)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %q", p.Warnings)
	}
	if p.Audio.Seconds() != p.Duration {
		t.Errorf("music lasts %g s, video %g s: the fade-out ends with the video", p.Audio.Seconds(), p.Duration)
	}
}

func TestBeatSyncFastTempoTakesSeveralBeats(t *testing.T) {
	t.Parallel()
	// 150 BPM (0.4 s) and the shortest slides (0.5 s): one beat is too short, so two.
	in := beatInput(6, simvid.MinSlideDuration, 0.4, 0, 30)
	p, err := NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	grid := videoBeats(in.Spec.Audio[0], in.Audio[in.Spec.Audio[0].Asset], "loop", 100)
	spans := cutsOnGrid(t, p, grid)
	// The first cut: beats at 0, 0.4, 0.8: 0.8 is the first at least 0.5 s in (grid[2]).
	if want := []int{3, 2, 2, 2, 2, 2}; !slices.Equal(spans, want) {
		t.Errorf("beats per slide %v, want %v", spans, want)
	}
}

func TestBeatSyncGivenDurationIsAMinimum(t *testing.T) {
	t.Parallel()
	// 0.6 s beats from 0; slide 2 asks for 2 s (3.33 beats: the next beat after is 4 beats),
	// slide 3 is a clip trimmed to its part (a minimum too), the title 1.5 s (3 beats, 1.8 s).
	in := beatInput(4, 2.5, 0.6, 0, 60)
	in.Spec.Slides[1].Duration = 2
	in.Spec.Slides[2].Duration, in.Spec.Slides[2].In, in.Spec.Slides[2].Out = 1.3, 1, 2.3
	in.Spec.Title = &simvid.TitleSlide{Text: "Hi", Duration: 1.5, Background: "#000000"}
	p, err := NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	grid := videoBeats(in.Spec.Audio[0], in.Audio[in.Spec.Audio[0].Asset], "loop", 100)
	spans := cutsOnGrid(t, p, grid[1:]) // grid[0] is the start, no cut
	// title 1.5 s -> 3 beats (1.8), picture 2.5 s -> 4 (2.4 nearest), 2 s -> 4 (2.4, not 1.8),
	// the clip's 1.3 s -> 3 (1.8), 2.5 s -> 4.
	if want := []int{3, 4, 4, 3, 4}; !slices.Equal(spans, want) {
		t.Errorf("beats per slide %v, want %v", spans, want)
	}
}

func TestBeatSyncTrimmedAndLoopedMusic(t *testing.T) {
	t.Parallel()
	// The music plays from 10.2 s to 15.2 s of the track and loops: beats at 10.5, 11.0, ...
	// are at 0.3, 0.8, ... of the video, again every 5 s.
	in := beatInput(10, 2, 0.5, 0.5, 60)
	in.Spec.Audio[0].Start, in.Spec.Audio[0].End = 10.2, 15.2
	p, err := NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	var grid []float64
	for k := 0; k < 8; k++ {
		for b := 0.3; b < 5; b += 0.5 {
			grid = append(grid, b+5*float64(k))
		}
	}
	cutsOnGrid(t, p, grid)
	if p.Audio.Start != 10.2 || !p.Audio.Loop {
		t.Errorf("music %+v", p.Audio)
	}
}

func TestBeatSyncFallsBack(t *testing.T) {
	t.Parallel()
	plain := func(in Input) *Plan {
		in.Spec.BeatSync = false
		p, err := NewPlan(in)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	noBeat := beatInput(5, 2.5, 0.6, 0, 60)
	noBeat.Audio[noBeat.Spec.Audio[0].Asset] = Audio{SHA256: "music", Duration: 60, Beats: &simvid.Beats{}}
	unknown := beatInput(5, 2.5, 0.6, 0, 60)
	unknown.Audio[unknown.Spec.Audio[0].Asset] = Audio{SHA256: "music", Duration: 60}
	silent := beatInput(5, 2.5, 0.6, 0, 60)
	silent.Spec.Audio = nil
	for name, c := range map[string]struct {
		in   Input
		warn string
	}{
		"no clear beat": {noBeat, "the music has no clear beat"},
		"beats unknown": {unknown, "the music has no clear beat"},
		"no music":      {silent, "no music"},
	} {
		p, err := NewPlan(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if p.Frames != plain(c.in).Frames || p.Frames != 5*75 {
			t.Errorf("%s: %d frames, want the durations as asked (375)", name, p.Frames)
		}
		if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], c.warn) {
			t.Errorf("%s: warnings %q, want one saying %q", name, p.Warnings, c.warn)
		}
	}
	// An intro of 12 s without beats: the slides far from a beat keep their durations (1-3),
	// slide 4 (asked to end at 10 s) ends on the first beat, the rest on the beat; the warning
	// names the slides kept.
	intro := beatInput(8, 2.5, 0.6, 12.01, 60)
	p, err := NewPlan(intro)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int64{75, 75, 75, 360 - 225} {
		if p.Slides[i].Frames != want {
			t.Errorf("slide %d: %d frames, want %d", i+1, p.Slides[i].Frames, want)
		}
	}
	grid := videoBeats(intro.Spec.Audio[0], intro.Audio[intro.Spec.Audio[0].Asset], "loop", 100)
	for i := 4; i < 8; i++ {
		end := p.Slides[i].Start + p.Slides[i].Frames
		if !slices.ContainsFunc(grid, func(b float64) bool { return int64(math.Round(b*30)) == end }) {
			t.Errorf("slide %d ends at frame %d, on no beat", i+1, end)
		}
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "slides 1, 2, 3;") {
		t.Errorf("warnings %q", p.Warnings)
	}
}

// TestBeatSyncMusicFitSlides: the slides stretched to a 20 s track (music fit "slides") then
// cut on its 0.6 s beats from 0.37 s end on the last beat before the music ends, never after
// it, every cut on a beat.
func TestBeatSyncMusicFitSlides(t *testing.T) {
	t.Parallel()
	in := beatInput(6, 2, 0.6, 0.37, 20)
	in.Spec.Music.Fit = "slides"
	p, err := NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	grid := videoBeats(in.Spec.Audio[0], in.Audio[in.Spec.Audio[0].Asset], "slides", 100)
	cutsOnGrid(t, p, grid)
	if last := 0.37 + 32*0.6; p.Frames != int64(math.Round(last*30)) {
		t.Errorf("video lasts %d frames, want %d (the last beat before 20 s, %.2f s)", p.Frames, int64(math.Round(last*30)), last)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %q", p.Warnings)
	}
}

// TestBeatSyncTrimWithoutBeats: the chosen part of the track (10..20 s) has no beat (they
// stop at 9 s): the durations as asked, and a warning that says why.
func TestBeatSyncTrimWithoutBeats(t *testing.T) {
	t.Parallel()
	in := beatInput(4, 2, 0.5, 0.5, 30)
	b := in.Audio[in.Spec.Audio[0].Asset].Beats
	b.Times = slices.DeleteFunc(b.Times, func(x float64) bool { return x > 9 })
	in.Spec.Audio[0].Start, in.Spec.Audio[0].End = 10, 20
	p, err := NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	if p.Frames != 4*60 || len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "chosen part of the music has no beat") {
		t.Errorf("%d frames, warnings %q", p.Frames, p.Warnings)
	}
}
