package render

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
)

// TestTimelineCutsAtExactTimes is the timeline's property: over random slide durations (whole
// milliseconds, as people type them), every frame rate the spec offers, random transitions and
// title and end slides, the video lasts round(sum × fps) frames, every cut is at the frame
// nearest its exact time (never more than half a frame off), every transition is centred on
// its cut, and the music lasts exactly the video's frames.
//
// (The spec's frame rates are whole numbers (simvid.FrameRates: 24, 25, 30, 60); 30000/1001
// is not offered, so it is not tried.)
func TestTimelineCutsAtExactTimes(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(16, 2))
	for run := 0; run < 500; run++ {
		fps := simvid.FrameRates[rng.IntN(len(simvid.FrameRates))]
		n := 1 + rng.IntN(40)
		ms := make([]int64, n)
		durs := make([]float64, n)
		for i := range ms {
			switch rng.IntN(3) {
			case 0: // near the shortest, where transitions are clamped
				ms[i] = 500 + rng.Int64N(500)
			case 1: // the issue's kind: a little over a second
				ms[i] = 1000 + rng.Int64N(100)
			default:
				ms[i] = 500 + rng.Int64N(29_501)
			}
			durs[i] = float64(ms[i]) / 1000
		}
		trans := []string{"none", "fade", "wipeleft"}[rng.IntN(3)]
		transDur := 0.0
		if trans != "none" {
			transDur = float64(100+rng.IntN(1901)) / 1000
		}
		in := input(durs, trans, transDur)
		in.Spec.Output.FPS = fps
		for i := range in.Spec.Slides { // some slides choose their own transition
			if rng.IntN(5) == 0 {
				in.Spec.Slides[i].Transition = []string{"none", "fade", "slideup"}[rng.IntN(3)]
			}
		}
		all := ms // the slides as the timeline sees them: title, pictures, end
		if rng.IntN(3) == 0 {
			tms := 500 + rng.Int64N(5000)
			in.Spec.Title = &simvid.TitleSlide{Text: "Hello", Duration: float64(tms) / 1000, Background: "#102030"}
			all = append([]int64{tms}, all...)
		}
		if rng.IntN(3) == 0 {
			ems := 500 + rng.Int64N(5000)
			in.Spec.End = &simvid.TitleSlide{Text: "The end", Duration: float64(ems) / 1000}
			all = append(all, ems)
		}
		addMusic(&in, 600)
		name := fmt.Sprintf("run %d: fps %d, %s %g s, durations %v", run, fps, trans, transDur, all)

		p, err := NewPlan(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkInvariants(t, p)
		if len(p.Slides) != len(all) {
			t.Fatalf("%s: %d slides planned", name, len(p.Slides))
		}
		var cumMS int64
		var cum float64
		for i, sl := range p.Slides {
			cumMS += all[i]
			cum += float64(all[i]) / 1000
			cut := sl.Start + sl.Frames
			// Exact in integers: |cut - cumMS*fps/1000| <= 1/2, and the nearest frame (halves up).
			if off := 2 * (cut*1000 - cumMS*int64(fps)); off > 1000 || off <= -1000 {
				t.Fatalf("%s: slide %d ends at frame %d, its exact end is %.4f frames", name, i+1, cut, float64(cumMS*int64(fps))/1000)
			}
			if math.Abs(float64(cut)/float64(fps)-cum) > 0.5/float64(fps)+1e-9 {
				t.Fatalf("%s: slide %d ends at %.4f s, more than half a frame from %.4f s", name, i+1, float64(cut)/float64(fps), cum)
			}
			if sl.Out > 0 {
				next := p.Slides[i+1]
				if tr := findTransition(p, i); tr == nil || tr.Start != cut-sl.Out || tr.Frames != sl.Out+next.In || next.In-sl.Out > 1 || next.In < sl.Out {
					t.Fatalf("%s: transition out of slide %d is not centred on its cut at %d: %+v (out %d, in %d)", name, i+1, cut, tr, sl.Out, next.In)
				}
			}
		}
		want := (cumMS*int64(fps) + 500) / 1000
		if p.Frames != want || p.Duration != float64(want)/float64(fps) {
			t.Fatalf("%s: %d frames (%g s), want round(%d ms × %d) = %d", name, p.Frames, p.Duration, cumMS, fps, want)
		}
		if a := p.Audio; a == nil || a.Frames != p.Frames || a.Samples() != want*AudioRate/int64(fps) || a.Seconds() != p.Duration {
			t.Fatalf("%s: the music is not the video's length: %+v", name, a)
		}
	}
}

// TestTimelineIssueCases pins the two renders of the issue: 20 slides of 1.02 s at 25 fps and
// 20 of 1.01 s at 30 fps last 510 and 606 frames (rounded slide by slide: 520 and 600).
func TestTimelineIssueCases(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		fps    int
		dur    float64
		frames int64
	}{{25, 1.02, 510}, {30, 1.01, 606}} {
		in := input(repeat(c.dur, 20), "none", 0)
		in.Spec.Output.FPS = c.fps
		p, err := NewPlan(in)
		if err != nil {
			t.Fatal(err)
		}
		if p.Frames != c.frames {
			t.Errorf("20 × %g s at %d fps: %d frames, want %d", c.dur, c.fps, p.Frames, c.frames)
		}
	}
}

func findTransition(p *Plan, slide int) *Segment {
	for i, sg := range p.Segments {
		if sg.Kind == KindTransition && sg.Slides[0] == slide {
			return &p.Segments[i]
		}
	}
	return nil
}

// addMusic gives the input a track of the given seconds, looped to cover the video.
func addMusic(in *Input, seconds float64) {
	id := simvid.NewID(simvid.PrefixAudio)
	in.Audio[id] = Audio{SHA256: "music", Duration: seconds}
	in.Spec.Audio = []simvid.AudioClip{{Asset: id}}
	in.Spec.Music.Fit = "loop"
}

// Music fit "slides" stretches the slides to the music in whole frames; the timeline keeps
// those frames exactly (their durations, k/fps seconds, are not whole nanoseconds), so the
// video lasts the music rounded to a frame.
func TestTimelineStretchedToMusic(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(16, 7))
	for run := 0; run < 300; run++ {
		fps := simvid.FrameRates[rng.IntN(len(simvid.FrameRates))]
		n := 1 + rng.IntN(60)
		durs := make([]float64, n)
		for i := range durs {
			durs[i] = float64(500+rng.IntN(5000)) / 1000
		}
		in := input(durs, "fade", 0.5)
		in.Spec.Output.FPS = fps
		music := float64(n)*0.6 + rng.Float64()*300
		addMusic(&in, music)
		in.Spec.Music.Fit = "slides"
		p, err := NewPlan(in)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		checkInvariants(t, p)
		if want := int64(math.Round(music * float64(fps))); p.Frames != want || p.Audio.Frames != want {
			t.Fatalf("run %d: %d slides at %d fps over %.4f s of music: %d frames (music %d), want %d",
				run, n, fps, music, p.Frames, p.Audio.Frames, want)
		}
	}
}
