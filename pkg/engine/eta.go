package engine

import "time"

// Speed is how fast earlier renders went: seconds of wall time per unit of work while their
// segments were made (work is render.SegmentCost's estimated encoding seconds, so a speed
// carries over between renders of other sizes and transitions), and seconds per frame of
// finishing (joining, muxing the music, writing the record) after the last segment.
// Zero fields are unknown.
type Speed struct {
	PerWork  float64 `json:"per_work"`
	PerFrame float64 `json:"per_frame"`
}

// When measured throughput is enough to stand alone: this share of the work the render has
// to do, over at least this long. Before that, without an earlier speed, there is no ETA:
// the first seconds of a render are ffmpeg starting and frames not yet reported, and an ETA
// from them was once 2445 s at 0.2% of a render that took 12 s.
const (
	etaMinShare = 0.10
	etaMinTime  = 2 * time.Second
)

// etaMinStep is the least move, as a share of the work to do, that counts as one: a
// segment's first frame or two reported alone would restart the countdown with a rate taken
// when a group has just begun, too low by the rest of it (an ETA of 35 s jumped to 49 s).
const etaMinStep = 0.005

// etaPriorShare is how much measured work an earlier speed counts as: the estimate starts at
// the earlier speed and moves to the measured one as work is done, half way at this share of
// the work. Small, because an earlier speed may be far off (another machine's load, a
// render of cached segments): one three times too slow is a third too slow at 10%.
const etaPriorShare = 0.02

// ETA estimates how long a render has left from the throughput measured since its segments
// started, blended with an earlier speed (the project's last render or the worker's recent
// ones) while there is little of it. It is pure: the caller gives it the time, so tests can
// feed it any progress. Not safe for concurrent use.
//
// Throughput is measured from the first report of work done (the seconds before it are
// ffmpeg starting, not a rate) to the last report that moved, and the estimate made then
// counts down between reports: work often arrives a group at a time, and a rate taken up to
// now would rise and fall with each group. It is the average since the first move, not over
// a recent window: replayed over three real renders on a busy machine, a window of the
// recent half (or 3 s) missed the true time left by more than half in 60 of about 670
// reports, the average in 2.
type ETA struct {
	prior  Speed
	frames int64

	started  bool
	t0       time.Time // when the segments started (the first rendering observation)
	w0       float64   // work done then: what was in the cache
	moved    bool
	first    etaPoint  // the first report that moved since t0
	tl       time.Time // the last report that moved (t0 before any)
	wl       float64
	total    float64
	finalAt  time.Time // when finishing started; zero before
	measured Speed
}

type etaPoint struct {
	t time.Time
	w float64
}

// NewETA returns an estimator for a render of frames frames; prior may be zero.
func NewETA(prior Speed, frames int64) *ETA { return &ETA{prior: prior, frames: frames} }

// Observe takes the render's stage and its work done of total at now, and returns the
// seconds it has left, or false when there is no estimate worth showing.
func (e *ETA) Observe(now time.Time, stage string, done, total float64) (float64, bool) {
	switch stage {
	case StageRendering:
	case StageFinalizing:
		if e.finalAt.IsZero() {
			e.finalAt = now
			if e.started && e.total-e.w0 > 0 && now.Sub(e.t0) > 0 {
				e.measured.PerWork = now.Sub(e.t0).Seconds() / (e.total - e.w0)
			}
		}
		return 0, false
	default: // preparing: stills take a time no speed of segments tells
		return 0, false
	}
	if total <= 0 {
		return 0, false
	}
	if !e.started {
		e.started, e.t0, e.w0, e.tl, e.wl = true, now, done, now, done
	}
	if done >= e.wl+etaMinStep*(total-e.w0) || (done > e.wl && done >= total) {
		e.tl, e.wl = now, done
		if !e.moved {
			e.moved, e.first = true, etaPoint{now, done}
		}
	}
	e.total = total
	todo := total - e.w0
	tail := e.prior.PerFrame * float64(e.frames)
	if todo <= 0 || done >= total { // all cached, or waiting for the music
		return tail, tail > 0
	}
	var dw, dt float64 // measured since the first move
	if e.moved {
		dw, dt = e.wl-e.first.w, e.tl.Sub(e.first.t).Seconds()
	}
	var perWork float64
	switch {
	case e.prior.PerWork > 0:
		k := etaPriorShare * todo
		perWork = (dt + k*e.prior.PerWork) / (dw + k)
	case dw >= etaMinShare*todo && dt >= etaMinTime.Seconds():
		perWork = dt / dw
	default:
		return 0, false
	}
	left := perWork*(total-e.wl) - now.Sub(e.tl).Seconds()
	if left <= 0 { // slower than the estimate said: it was wrong, and by how much is unknown
		return 0, false
	}
	return left + tail, true
}

// Finished records that the render is done at now and returns the speed measured, to
// estimate the next renders with. A render whose work was mostly in the cache measures
// little: then PerWork is left zero.
func (e *ETA) Finished(now time.Time) Speed {
	s := e.measured
	if e.total-e.w0 <= 0 || e.total-e.w0 < etaMinShare*e.total {
		s.PerWork = 0
	}
	if !e.finalAt.IsZero() && e.frames > 0 {
		s.PerFrame = now.Sub(e.finalAt).Seconds() / float64(e.frames)
	}
	return s
}
