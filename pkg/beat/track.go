package beat

import (
	"math"
	"slices"
)

// Result is what Track found: the beats in seconds from the first sample, the tempo in beats
// a minute, and how periodic the onsets are (the autocorrelation of the onset envelope at the
// beat period, 0..1). Tempo 0 and no Times: no clear beat.
type Result struct {
	Tempo      float64
	Times      []float64
	Confidence float64
}

// The tempo search and the dynamic programme, as in Ellis 2007 and librosa.
const (
	minBPM    = 40.0
	maxBPM    = 240.0
	priorBPM  = 120.0 // the tempo people tap most often ...
	priorOct  = 1.0   // ... with this spread, in octaves
	tightness = 100.0 // how much a beat interval may stray from the period
	// tempoWindow is the length of the windows the tempo is measured in, in seconds; each
	// may find its own period within localSpan of the song's.
	tempoWindow = 8.0
	localSpan   = 1.35
	// MinConfidence is how periodic the onsets must be for beats to be reported. Measured
	// (docs/performance.md): click tracks and synthesised music 0.35-0.9, pink noise with
	// slow volume changes and a drone with tremolo below 0.05.
	MinConfidence = 0.3
	minBeats      = 4
	// latency is how much later than its onset a beat's frame is reported: the flux of a
	// centred window rises before the onset reaches the window's centre. Measured on clicks.
	latency = -0.0135
)

// Track finds the beats of mono samples at Rate (any scale; loudness does not matter).
func Track(x []float32) Result {
	return track(onsets(x))
}

// track finds the beats in an onset envelope.
func track(env []float64) Result {
	if float64(len(env)) < 4*60/minBPM/frameSeconds { // four beats at the slowest tempo
		return Result{}
	}
	period, conf := tempo(env)
	if conf < MinConfidence {
		return Result{Confidence: conf}
	}
	frames := dpBeats(env, period)
	if len(frames) < minBeats {
		return Result{Confidence: conf}
	}
	r := Result{Confidence: conf, Times: make([]float64, len(frames))}
	for i, f := range frames {
		r.Times[i] = max(0, f*frameSeconds-latency)
	}
	ibi := make([]float64, len(r.Times)-1)
	for i := range ibi {
		ibi[i] = r.Times[i+1] - r.Times[i]
	}
	slices.Sort(ibi)
	r.Tempo = math.Round(60/ibi[len(ibi)/2]*10) / 10
	return r
}

// FromS16LE turns signed 16-bit little-endian samples (what ffmpeg's -f s16le writes) into
// floats; a trailing odd byte is ignored.
func FromS16LE(b []byte) []float32 {
	x := make([]float32, len(b)/2)
	for i := range x {
		x[i] = float32(int16(uint16(b[2*i])|uint16(b[2*i+1])<<8)) / 32768
	}
	return x
}

// tempo returns the beat period of every frame (fractional frames) and the confidence. The
// onset envelope, its slow changes taken out and lightly smoothed, is cut into windows of a
// few seconds; the autocorrelation of each, normalised, is averaged and weighted by a
// log-normal prior around priorBPM: its best lag is the song's period. Each window then takes
// its own best lag within a third of that (music speeds up and slows down), refined by a
// parabola, and the periods are interpolated between window centres. The confidence is the
// median of the windows' autocorrelations at their lags: how regular the onsets are, at any
// tempo.
func tempo(env []float64) (period []float64, conf float64) {
	d := smooth(detrend(env, int(math.Round(1/frameSeconds))))
	lo := int(math.Floor(60 / maxBPM / frameSeconds))
	hi := int(math.Ceil(60 / minBPM / frameSeconds))
	win := int(math.Round(tempoWindow / frameSeconds))
	if win > len(d) {
		win = len(d)
	}
	hi = min(hi, win/2)
	if hi <= lo+2 {
		return nil, 0
	}
	step := max(win/4, 1)
	var acs [][]float64 // normalised autocorrelation of each window at lags 0..hi+1
	var centres []float64
	for s := 0; ; s += step {
		if s+win > len(d) {
			s = len(d) - win
		}
		ac := make([]float64, hi+2)
		w := d[s : s+win]
		for lag := range ac {
			var v float64
			for i := lag; i < len(w); i++ {
				v += w[i] * w[i-lag]
			}
			ac[lag] = v
		}
		if a0 := ac[0]; a0 > 0 {
			for lag := range ac {
				ac[lag] /= a0
			}
			acs = append(acs, ac)
			centres = append(centres, float64(s)+float64(win)/2)
		}
		if s+win >= len(d) {
			break
		}
	}
	if len(acs) == 0 {
		return nil, 0
	}
	prior := make([]float64, hi+2)
	for lag := 1; lag < len(prior); lag++ {
		oct := math.Log2(60/(float64(lag)*frameSeconds)/priorBPM) / priorOct
		prior[lag] = math.Exp(-0.5 * oct * oct)
	}
	best, bestScore := 0, math.Inf(-1)
	for lag := lo; lag <= hi; lag++ {
		var m float64
		for _, ac := range acs {
			m += ac[lag]
		}
		if s := m / float64(len(acs)) * prior[lag]; s > bestScore {
			best, bestScore = lag, s
		}
	}
	if best == 0 {
		return nil, 0
	}
	// Each window's own lag near the song's: no octave jumps between windows.
	llo, lhi := max(lo, int(float64(best)/localSpan)), min(hi, int(math.Ceil(float64(best)*localSpan)))
	local := make([]float64, len(acs))
	confs := make([]float64, len(acs))
	for i, ac := range acs {
		b := llo
		for lag := llo; lag <= lhi; lag++ {
			if ac[lag]*prior[lag] > ac[b]*prior[b] {
				b = lag
			}
		}
		local[i], confs[i] = float64(b), max(ac[b], 0)
		if b > 0 {
			x, y, z := ac[b-1], ac[b], ac[b+1]
			if den := x - 2*y + z; den < 0 {
				local[i] += 0.5 * (x - z) / den
			}
		}
	}
	slices.Sort(confs)
	conf = confs[len(confs)/2]
	period = make([]float64, len(env))
	j := 0
	for t := range period {
		for j+1 < len(centres) && centres[j+1] <= float64(t) {
			j++
		}
		switch {
		case float64(t) <= centres[0]:
			period[t] = local[0]
		case j+1 >= len(centres):
			period[t] = local[len(local)-1]
		default:
			f := (float64(t) - centres[j]) / (centres[j+1] - centres[j])
			period[t] = local[j]*(1-f) + local[j+1]*f
		}
	}
	return period, conf
}

// smooth is a short triangular filter: a beat whose period is not a whole number of frames
// still lines up with itself at the nearest lag.
func smooth(x []float64) []float64 {
	k := []float64{1, 2, 3, 2, 1}
	out := make([]float64, len(x))
	for t := range x {
		for i, w := range k {
			if j := t + i - 2; j >= 0 && j < len(x) {
				out[t] += w * x[j] / 9
			}
		}
	}
	return out
}

// detrend subtracts a moving average of w frames: a slow swell of the music (or of noise)
// is not a rhythm.
func detrend(env []float64, w int) []float64 {
	out := make([]float64, len(env))
	var s float64
	half := w / 2
	lo, hi := 0, 0 // the window is env[lo:hi]
	for t := range env {
		for hi < len(env) && hi <= t+half {
			s += env[hi]
			hi++
		}
		for lo < t-half {
			s -= env[lo]
			lo++
		}
		out[t] = env[t] - s/float64(hi-lo)
	}
	return out
}

// dpBeats places beats on the onset envelope by dynamic programming: each frame's score is its
// onset strength plus the best score of a previous beat between two and a half periods back
// (the period of that frame), less a penalty for the interval straying from the period. The
// chain ending at the last strong frame is traced back; weak beats at either end (silence, a
// fade) are dropped. Beats come back as fractional frames, each refined to the onset peak
// near it.
func dpBeats(env []float64, period []float64) []float64 {
	n := len(env)
	sd := stddev(env)
	if sd == 0 {
		return nil
	}
	// Local score: the onsets smoothed by a Gaussian of a 32nd of the period.
	mid := period[n/2]
	p := int(math.Round(mid))
	kern := make([]float64, 2*p+1)
	for k := range kern {
		z := float64(k-p) * 32 / mid
		kern[k] = math.Exp(-0.5*z*z) / sd
	}
	local := make([]float64, n)
	for t := range local {
		var s float64
		for k := max(0, p-t); k < len(kern) && t+k-p < n; k++ {
			s += kern[k] * env[t+k-p]
		}
		local[t] = s
	}
	maxD := int(math.Ceil(2*slices.Max(period))) + 1
	logs := make([]float64, maxD+1)
	for d := 1; d <= maxD; d++ {
		logs[d] = math.Log(float64(d))
	}
	cum := make([]float64, n)
	back := make([]int, n)
	for t := range n {
		per := period[t]
		lp := math.Log(per)
		from, to := int(math.Round(2*per)), max(int(math.Round(per/2)), 1)
		best, at := 0.0, -1
		for d := to; d <= from && t-d >= 0; d++ {
			l := logs[d] - lp
			if v := cum[t-d] - tightness*l*l; at < 0 || v > best {
				best, at = v, t-d
			}
		}
		if at < 0 || best <= 0 {
			best, at = 0, -1 // start a new chain here
		}
		cum[t], back[t] = local[t]+best, at
	}
	last := lastBeat(cum)
	var beats []int
	for b := last; b >= 0; b = back[b] {
		beats = append(beats, b)
	}
	slices.Reverse(beats)
	beats = trim(local, beats)
	out := make([]float64, len(beats))
	for i, b := range beats {
		out[i] = refine(env, b)
	}
	return out
}

// lastBeat is the last local maximum of the cumulative score that is at least half the median
// of them: the chain's end before a fade or silence.
func lastBeat(cum []float64) int {
	var peaks []float64
	var at []int
	for t := 1; t+1 < len(cum); t++ {
		if cum[t] > cum[t-1] && cum[t] >= cum[t+1] {
			peaks, at = append(peaks, cum[t]), append(at, t)
		}
	}
	if len(peaks) == 0 {
		return len(cum) - 1
	}
	med := slices.Clone(peaks)
	slices.Sort(med)
	m := med[len(med)/2]
	for i := len(peaks) - 1; i >= 0; i-- {
		if peaks[i] >= m/2 {
			return at[i]
		}
	}
	return at[len(at)-1]
}

// trim drops beats at the start and end whose smoothed onset strength is under half its RMS:
// the chain runs on through an intro or an outro of silence with nothing to follow.
func trim(local []float64, beats []int) []int {
	if len(beats) < 3 {
		return beats
	}
	w := []float64{0.25, 0.5, 1, 0.5, 0.25} // a Hann window of 5 beats, unnormalised
	sm := make([]float64, len(beats))
	var sq float64
	for i := range beats {
		for k, v := range w {
			if j := i + k - 2; j >= 0 && j < len(beats) {
				sm[i] += v * local[beats[j]]
			}
		}
		sq += sm[i] * sm[i]
	}
	th := 0.5 * math.Sqrt(sq/float64(len(sm)))
	lo, hi := 0, len(beats)
	for lo < hi && sm[lo] <= th {
		lo++
	}
	for hi > lo && sm[hi-1] <= th {
		hi--
	}
	return beats[lo:hi]
}

// refine moves a beat to the strongest onset within two frames of it, to a fraction of a
// frame by a parabola through that peak and its neighbours.
func refine(env []float64, b int) float64 {
	best := b
	for t := max(1, b-2); t <= min(len(env)-2, b+2); t++ {
		if env[t] > env[best] {
			best = t
		}
	}
	if best < 1 || best+1 >= len(env) {
		return float64(best)
	}
	a, c, e := env[best-1], env[best], env[best+1]
	if den := a - 2*c + e; den < 0 {
		return float64(best) + 0.5*(a-e)/den
	}
	return float64(best)
}

func stddev(x []float64) float64 {
	if len(x) < 2 {
		return 0
	}
	m := sum(x) / float64(len(x))
	var s float64
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return math.Sqrt(s / float64(len(x)-1))
}
