package engine

import (
	"math"
	"testing"
	"time"
)

// feed is a render as its progress reports show it: prep seconds of preparing, then lag
// seconds before the first work is reported, then work at a steady rate (in steps: whole
// groups at a time when step > 0), then final seconds of finishing.
type feed struct {
	prep, lag, render, final float64 // seconds
	cached                   float64 // share of the work in the cache at the start
	step                     float64 // work is reported in steps of this share; 0 = smoothly
}

// runFeed feeds f to an estimator and checks the ETAs it gives: from shareFrom of the work
// to do on, each within 50% of the true remaining time or within a second (the page shows
// whole seconds: "about 1 s left"); none in another stage than rendering; none wild (over
// three times the truth) unless the earlier speed was off. It returns how many it gave and
// the share of the work done at the first.
func runFeed(t *testing.T, f feed, prior Speed, shareFrom float64) (shown int, firstAt float64) {
	t.Helper()
	const total, frames = 40.0, 600
	t0 := time.Unix(1_700_000_000, 0)
	end := f.prep + f.lag + f.render + f.final
	e := NewETA(prior, frames)
	firstAt = -1
	for s := 0.0; s <= end; s += 0.25 {
		now := t0.Add(time.Duration(s * float64(time.Second)))
		stage, done := StagePreparing, 0.0
		switch {
		case s >= f.prep+f.lag+f.render:
			stage, done = StageFinalizing, total
		case s >= f.prep:
			stage = StageRendering
			share := math.Max(0, s-f.prep-f.lag) / f.render
			if f.step > 0 {
				share = math.Floor(share/f.step) * f.step
			}
			done = total * (f.cached + (1-f.cached)*share)
		}
		left, ok := e.Observe(now, stage, done, total)
		if !ok {
			continue
		}
		if stage != StageRendering {
			t.Fatalf("%.2f s: an ETA (%.1f s) in stage %s", s, left, stage)
		}
		shown++
		if firstAt < 0 {
			firstAt = (done/total - f.cached) / (1 - f.cached)
		}
		truth := end - s
		share := (done/total - f.cached) / (1 - f.cached)
		if share >= shareFrom && math.Abs(left-truth) > math.Max(0.5*truth, 1) {
			t.Errorf("%.2f s, %.1f%% done: ETA %.1f s, the render had %.1f s left", s, share*100, left, truth)
		}
		if (prior == Speed{} || prior == exactSpeed) && left > 3*truth+1 {
			t.Errorf("%.2f s: a wild ETA: %.1f s for %.1f s left", s, left, truth)
		}
	}
	return shown, firstAt
}

// exactSpeed is the speed of the feeds of 12 s of rendering and 0.5 s of finishing.
var exactSpeed = Speed{PerWork: 12.0 / 40, PerFrame: 0.5 / 600}

func TestETA(t *testing.T) {
	exact := exactSpeed
	for _, c := range []struct {
		name      string
		f         feed
		prior     Speed
		shareFrom float64 // from this share of the work on, every ETA is within 50%
		noneUntil float64 // no ETA before this share of the work
	}{
		// The issue: slow stills, then a render of 12 s; the old estimate (time since the
		// start over frames done) said 2445 s at 0.2%.
		{name: "slow stills, no earlier speed", f: feed{prep: 4, lag: 0.5, render: 12, final: 0.5},
			shareFrom: 0.10, noneUntil: etaMinShare},
		{name: "an earlier speed that was right", f: feed{prep: 4, lag: 0.5, render: 12, final: 0.5},
			prior: exact, shareFrom: 0},
		{name: "an earlier speed three times too slow", f: feed{prep: 1, lag: 0.5, render: 12, final: 0.5},
			prior: Speed{PerWork: 3 * exact.PerWork, PerFrame: exact.PerFrame}, shareFrom: 0.10},
		{name: "an earlier speed three times too fast", f: feed{prep: 1, lag: 0.5, render: 12, final: 0.5},
			prior: Speed{PerWork: exact.PerWork / 3}, shareFrom: 0.10},
		{name: "groups reported whole", f: feed{prep: 1, lag: 0.3, render: 20, final: 0.3, step: 0.08},
			shareFrom: 0.10, noneUntil: 0.08},
		{name: "most of it cached", f: feed{prep: 1, lag: 0.3, render: 8, final: 0.3, cached: 0.6},
			shareFrom: 0.10, noneUntil: etaMinShare},
		// Without an earlier speed the finishing is unknown; it is short (50 ms for 480
		// frames at 640x480 on a busy machine), and the last ETAs may miss it.
		{name: "a long render", f: feed{prep: 10, lag: 1, render: 300, final: 0.8},
			shareFrom: 0.10, noneUntil: etaMinShare},
	} {
		t.Run(c.name, func(t *testing.T) {
			shown, first := runFeed(t, c.f, c.prior, c.shareFrom)
			if shown == 0 {
				t.Fatal("no ETA was ever shown")
			}
			if first < c.noneUntil {
				t.Errorf("the first ETA came at %.1f%% of the work; none before %.1f%%", first*100, c.noneUntil*100)
			}
		})
	}
}

// Too little measured: a render that is over in a second shows no ETA without an earlier
// speed, rather than one from a few hundred milliseconds of ffmpeg starting.
func TestETANoneFromTooLittle(t *testing.T) {
	shown, _ := runFeed(t, feed{prep: 0.5, lag: 0.2, render: 1, final: 0.2}, Speed{}, 0)
	if shown != 0 {
		t.Errorf("%d ETAs shown for a render of a second", shown)
	}
}

// Finished measures the speed the next render starts from; a render that was mostly in the
// cache measures no speed of work.
func TestETAFinishedMeasuresSpeed(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	e := NewETA(Speed{}, 300)
	e.Observe(at(0), StagePreparing, 0, 20)
	e.Observe(at(1), StageRendering, 4, 20) // 4 of 20 cached
	e.Observe(at(5), StageRendering, 12, 20)
	e.Observe(at(9), StageFinalizing, 20, 20)
	s := e.Finished(at(9.6))
	if math.Abs(s.PerWork-0.5) > 1e-9 || math.Abs(s.PerFrame-0.002) > 1e-9 {
		t.Errorf("measured %+v, want 0.5 s a unit of work and 2 ms a frame", s)
	}
	e = NewETA(Speed{}, 300)
	e.Observe(at(1), StageRendering, 19.5, 20)
	e.Observe(at(1.2), StageFinalizing, 20, 20)
	if s := e.Finished(at(2)); s.PerWork != 0 || s.PerFrame <= 0 {
		t.Errorf("a cached render measured %+v", s)
	}
}
