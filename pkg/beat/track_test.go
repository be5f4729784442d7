package beat

import (
	"bytes"
	"fmt"
	"math"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/testutil"
)

// decode reads a sound file as the tracker's input, the way the audio queue does: mono
// 16-bit samples at Rate from ffmpeg.
func decode(t testing.TB, path string) []float32 {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command("ffmpeg", "-v", "error", "-i", path, "-ac", "1", "-ar", fmt.Sprint(Rate), "-f", "s16le", "-")
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, errb.String())
	}
	return FromS16LE(out.Bytes())
}

// agreement is the share of the true beats with a found beat within tol seconds (recall) and
// of found beats with a true beat within tol (precision), and the mean signed error.
func agreement(truth, found []float64, tol float64) (recall, precision, meanErr float64) {
	near := func(x float64, in []float64) (float64, bool) {
		best := math.Inf(1)
		for _, v := range in {
			if math.Abs(v-x) < math.Abs(best) {
				best = v - x
			}
		}
		return best, math.Abs(best) <= tol
	}
	hits, n := 0, 0
	for _, b := range truth {
		if d, ok := near(b, found); ok {
			hits++
			meanErr += d
		}
	}
	if hits > 0 {
		meanErr /= float64(hits)
	}
	for _, f := range found {
		if _, ok := near(f, truth); ok {
			n++
		}
	}
	if len(truth) > 0 {
		recall = float64(hits) / float64(len(truth))
	}
	if len(found) > 0 {
		precision = float64(n) / float64(len(found))
	}
	return recall, precision, meanErr
}

// TestClickTracks: clicks at 80, 100, 120 and 150 BPM, the first after an offset, and a drum
// pattern whose loudest hits after the kick are the off-beat hi-hats: every beat found, none
// extra, within a few milliseconds, at the right tempo.
func TestClickTracks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, s := range []testutil.Song{
		testutil.ClickTrack("click80", 80, 0.61, 15),
		testutil.ClickTrack("click100", 100, 0.33, 15),
		testutil.ClickTrack("click120", 120, 0.9, 15),
		testutil.ClickTrack("click150", 150, 0.17, 15),
		testutil.DrumPattern("drums", 110, 0.45, 15),
	} {
		start := time.Now()
		r := Track(decode(t, testutil.WriteSong(t, dir, s)))
		rec, prec, me := agreement(s.Beats, r.Times, 0.02)
		bpm := 60 / (s.Beats[1] - s.Beats[0])
		t.Logf("%-8s tempo %5.1f (made at %5.1f) confidence %.2f beats %d/%d within 20 ms: recall %.2f precision %.2f, mean error %+.1f ms (%s with decoding)",
			s.Name, r.Tempo, bpm, r.Confidence, len(r.Times), len(s.Beats), rec, prec, me*1000, time.Since(start).Round(time.Millisecond))
		if rec < 0.95 || prec < 0.95 || math.Abs(r.Tempo-bpm) > 0.02*bpm {
			t.Errorf("%s: tempo %.1f, want %.1f; recall %.2f, precision %.2f within 20 ms, want 0.95", s.Name, r.Tempo, bpm, rec, prec)
		}
	}
}

// TestSongs: three pieces of synthesised music (swing with bass and melody, four-on-the-floor
// under a chord pad, a tempo rising from 90 to 130 BPM): at least 90% of the beats as made are
// found within 70 ms, and at least 90% of those found are beats.
func TestSongs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, s := range testutil.Songs() {
		r := Track(decode(t, testutil.WriteSong(t, dir, s)))
		rec, prec, me := agreement(s.Beats, r.Times, 0.07)
		t.Logf("%-11s tempo %5.1f confidence %.2f beats %d/%d within 70 ms: recall %.2f precision %.2f, mean error %+.1f ms",
			s.Name, r.Tempo, r.Confidence, len(r.Times), len(s.Beats), rec, prec, me*1000)
		if rec < 0.9 || prec < 0.9 {
			t.Errorf("%s: recall %.2f, precision %.2f within 70 ms, want 0.9", s.Name, rec, prec)
		}
	}
}

// TestNoBeat: pink noise swelling under a drone, and voice-band noise in syllable bursts, have
// no clear beat: no tempo, no times.
func TestNoBeat(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, path := range map[string]string{
		"ambient": testutil.Ambient(t, dir, 20), "speech-like": testutil.SpeechLike(t, dir, 20),
	} {
		r := Track(decode(t, path))
		t.Logf("%s: tempo %.1f confidence %.2f beats %d", name, r.Tempo, r.Confidence, len(r.Times))
		if r.Tempo != 0 || len(r.Times) != 0 {
			t.Errorf("%s: tempo %.1f with %d beats, want none (confidence %.2f < %.2f)", name, r.Tempo, len(r.Times), r.Confidence, MinConfidence)
		}
	}
}

// TestTrackShortAndSilent: too little sound, or silence, is no beat and no panic.
func TestTrackShortAndSilent(t *testing.T) {
	for name, x := range map[string][]float32{"empty": nil, "short": make([]float32, Rate), "silent": make([]float32, 30*Rate)} {
		if r := Track(x); r.Tempo != 0 || len(r.Times) != 0 {
			t.Errorf("%s: %+v, want no beat", name, r)
		}
	}
}

// BenchmarkTrack4Min tracks four minutes of a click track under noise (Go-made, so that the
// benchmark needs no ffmpeg): the cost on one core, excluding the decode. On a shared machine
// the wall time per op counts the waits for a core; cpu-ns/op is the process's own CPU time.
func BenchmarkTrack4Min(b *testing.B) {
	x := make([]float32, 240*Rate)
	seed := uint32(1)
	for i := range x {
		seed = seed*1664525 + 1013904223
		noise := float32(seed>>8)/float32(1<<24) - 0.5
		since := float64(i%(Rate/2)) / Rate // 120 BPM
		x[i] = 0.1*noise + float32(0.8*math.Exp(-200*since)*math.Sin(2*math.Pi*1500*float64(i)/Rate))
	}
	cpu0 := cpuTime()
	n := 0
	for b.Loop() {
		if r := Track(x); r.Tempo < 119 || r.Tempo > 121 {
			b.Fatalf("tempo %.1f, want 120", r.Tempo)
		}
		n++
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
