// Package beat finds the beats of music in its decoded samples: an onset envelope (spectral
// flux of a log mel spectrogram), the tempo from its autocorrelation weighted towards 120
// BPM, and the beats placed by dynamic programming (D. Ellis, "Beat tracking by dynamic
// programming", 2007, as librosa does it). It is pure Go: it opens no file and runs no tool.
package beat

import (
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Rate is the sample rate Track expects: mono samples at 11025 a second. The beats live below
// 5 kHz, and a quarter of CD rate makes the spectrogram four times cheaper than at 44.1 kHz.
const Rate = 11025

// The spectrogram: windows of fftSize samples (46 ms) every hop samples (11.6 ms, the grain
// of a beat before refinement), melBands bands from melLow Hz up.
const (
	fftSize  = 512
	hop      = 128
	melBands = 40
	melLow   = 30.0
	topDB    = 80.0 // quieter than the loudest band by more than this is silence
)

// frameSeconds is the time between two onset frames.
const frameSeconds = float64(hop) / Rate

// onsets returns the onset strength of every frame: how much the log mel spectrum rose since
// the frame before, summed over the bands (rises only). Frame t's window is centred on
// sample t*hop.
func onsets(x []float32) []float64 {
	n := len(x)/hop + 1
	if len(x) == 0 {
		return nil
	}
	s := newSpectrogram(n)
	for t := range n {
		start := t*hop - fftSize/2
		for i := range s.seq {
			j := start + i
			if j < 0 || j >= len(x) {
				s.seq[i] = 0
			} else {
				s.seq[i] = float64(x[j])
			}
		}
		s.add()
	}
	return s.envelope()
}

// spectrogram is the mel spectrogram of a signal, built a frame at a time (add), and its
// onset envelope once every frame is in (envelope). Its memory is the spectrogram's:
// melBands values for every hop samples, not the samples.
type spectrogram struct {
	fb   []filter
	win  []float64
	fft  *fourier.FFT
	seq  []float64 // the next frame's fftSize samples, put there by the caller
	coef []complex128
	pow  []float64
	mel  []float64 // melBands a frame
	peak float64
}

// newSpectrogram makes room for frames frames (more are taken when they come).
func newSpectrogram(frames int) *spectrogram {
	s := &spectrogram{fb: melFilters(), win: make([]float64, fftSize), fft: fourier.NewFFT(fftSize),
		seq: make([]float64, fftSize), coef: make([]complex128, fftSize/2+1), pow: make([]float64, fftSize/2+1),
		mel: make([]float64, 0, frames*melBands), peak: 1e-10}
	for i := range s.win {
		s.win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/fftSize)
	}
	return s
}

// add windows the samples in s.seq and appends their mel spectrum as the next frame.
func (s *spectrogram) add() {
	for i := range s.seq {
		s.seq[i] *= s.win[i]
	}
	s.fft.Coefficients(s.coef, s.seq)
	for k, c := range s.coef {
		s.pow[k] = real(c)*real(c) + imag(c)*imag(c)
	}
	for _, f := range s.fb {
		var v float64
		for k, w := range f.w {
			v += w * s.pow[f.first+k]
		}
		s.mel = append(s.mel, v)
		s.peak = max(s.peak, v)
	}
}

// envelope returns the onset strength of every frame added, from the spectrum in decibels
// no lower than topDB under its loudest band (the whole signal's, so only once it is all in).
func (s *spectrogram) envelope() []float64 {
	mel := s.mel
	n := len(mel) / melBands
	floor := 10*math.Log10(s.peak) - topDB
	for i, v := range mel {
		mel[i] = max(10*math.Log10(max(v, 1e-10)), floor)
	}
	env := make([]float64, n)
	for t := 1; t < n; t++ {
		var sum float64
		cur, prev := mel[t*melBands:(t+1)*melBands], mel[(t-1)*melBands:t*melBands]
		for b := range cur {
			if d := cur[b] - prev[b]; d > 0 {
				sum += d
			}
		}
		env[t] = sum / melBands
	}
	return env
}

type filter struct {
	first int
	w     []float64
}

// melFilters are triangular filters evenly spaced on the mel scale, over FFT bins; a band
// too narrow to hold a bin takes the nearest one, so that every band sees something.
func melFilters() []filter {
	hz := func(m float64) float64 { return 700 * (math.Pow(10, m/2595) - 1) }
	melOf := func(f float64) float64 { return 2595 * math.Log10(1+f/700) }
	lo, hi := melOf(melLow), melOf(Rate/2)
	edges := make([]float64, melBands+2)
	for i := range edges {
		edges[i] = hz(lo + (hi-lo)*float64(i)/float64(melBands+1))
	}
	binHz := float64(Rate) / fftSize
	fb := make([]filter, melBands)
	for b := range fb {
		l, c, r := edges[b], edges[b+1], edges[b+2]
		first, last := int(math.Ceil(l/binHz)), int(math.Floor(r/binHz))
		var w []float64
		for k := first; k <= last; k++ {
			f := float64(k) * binHz
			v := (f - l) / (c - l)
			if f > c {
				v = (r - f) / (r - c)
			}
			w = append(w, max(v, 0))
		}
		if len(w) == 0 || sum(w) == 0 {
			first, w = int(math.Round(c/binHz)), []float64{1}
		}
		// Slaney's area normalisation: wide high bands do not outweigh narrow low ones.
		norm := 2 / (r - l)
		for k := range w {
			w[k] *= norm
		}
		fb[b] = filter{first: first, w: w}
	}
	return fb
}

func sum(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}
