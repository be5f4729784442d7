package testutil

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// Song is a piece of music synthesised by ffmpeg's aevalsrc, with the times of its beats as it
// was made: test material for beat tracking with no licence to worry about.
type Song struct {
	Name    string
	Seconds float64
	Beats   []float64 // the beats as synthesised: the hand-checked list
	expr    string
}

// Instruments of the drum machine, each a sound starting at b seconds after its hit (ld(1)
// is the time since the beat, ld(2) the beat in its bar, ld(3) 1 once the music started).
const (
	kick  = "sin(2*PI*(50*ld(1)+2.5*(1-exp(-40*ld(1)))))*exp(-12*ld(1))"
	snare = "((2*random(0)-1)*0.7*exp(-25*ld(1))+0.3*sin(2*PI*190*ld(1))*exp(-30*ld(1)))"
	click = "sin(2*PI*1500*t)*exp(-200*ld(1))"
)

// ClickTrack is a click on every beat at bpm, the first at offset seconds.
func ClickTrack(name string, bpm, offset, seconds float64) Song {
	return song(name, bpm, bpm, offset, seconds, "0.8*"+click)
}

// DrumPattern is kick on beats 1 and 3, snare on 2 and 4, and a loud open hi-hat on every
// off-beat: a tracker following every hit finds twice the tempo, or the off-beats.
func DrumPattern(name string, bpm, offset, seconds float64) Song {
	return song(name, bpm, bpm, offset, seconds,
		"0.7*lt(mod(ld(2),2),1)*"+kick+"+0.6*gte(mod(ld(2),2),1)*"+snare+"+"+hat(0.5, 0.45))
}

// Songs are three short pieces of "real" music: drums, bass and a melody, one with swing,
// one with a four-on-the-floor kick under a sustained chord pad, one speeding up from 90 to
// 130 BPM.
func Songs() []Song {
	melody := "0.18*sin(2*PI*330*pow(2,mod(floor(ld(0))*7,12)/12)*t)*(0.3+0.7*exp(-4*ld(1)))"
	bass := "0.3*sin(2*PI*55*pow(2,mod(floor(ld(0)/4)*5,12)/12)*t)*(0.5+0.5*exp(-6*ld(1)))"
	pad := "0.08*(sin(2*PI*220*t)+sin(2*PI*277.2*t)+sin(2*PI*329.6*t))*(0.8+0.2*sin(2*PI*0.25*t))"
	return []Song{
		song("swing", 96, 96, 0.37, 20,
			"0.6*lt(mod(ld(2),2),1)*"+kick+"+0.5*gte(mod(ld(2),2),1)*"+snare+"+"+hat(2.0/3, 0.2)+"+"+bass+"+"+melody),
		song("house", 124, 124, 0.21, 20,
			"0.6*"+kick+"+0.35*gte(mod(ld(2),2),1)*"+snare+"+"+hat(0.5, 0.25)+"+"+pad+"+"+bass),
		song("accelerando", 90, 130, 0.5, 24,
			"0.6*"+kick+"+0.4*gte(mod(ld(2),2),1)*"+snare+"+"+hat(0.5, 0.15)+"+"+melody),
	}
}

// hat is a hi-hat hit at the given fraction of each beat (0.5 the off-beat, 2/3 swung).
func hat(at, gain float64) string {
	h := "(ld(1)-" + ftoa(at) + "*ld(4))"
	return ftoa(gain) + "*gte(" + h + ",0)*(2*random(1)-1)*exp(-60*" + h + ")"
}

// song builds the expression: the tempo goes from bpm0 to bpm1 linearly over the song, so the
// beat phase is the integral of the tempo. Registers: 0 the beat phase, 1 the seconds since
// the last beat, 2 the beat in its bar, 3 started, 4 the current beat's length.
func song(name string, bpm0, bpm1, offset, seconds float64, voices string) Song {
	acc := (bpm1 - bpm0) / seconds // BPM per second
	u := "max(t-" + ftoa(offset) + ",0)"
	e := []string{
		"st(0,(" + ftoa(bpm0) + "*" + u + "+" + ftoa(acc/2) + "*" + u + "*" + u + ")/60)",
		"st(4,60/(" + ftoa(bpm0) + "+" + ftoa(acc) + "*" + u + "))",
		"st(1,(ld(0)-floor(ld(0)))*ld(4))",
		"st(2,mod(floor(ld(0)),4))",
		"st(3,gte(t," + ftoa(offset) + "))",
		"ld(3)*(" + voices + ")",
	}
	s := Song{Name: name, Seconds: seconds, expr: strings.Join(e, ";")}
	for k := 0; ; k++ {
		// Solve bpm0*u + acc/2*u² = 60k for u.
		u := 60 * float64(k) / bpm0
		if acc != 0 {
			u = (-bpm0 + math.Sqrt(bpm0*bpm0+2*acc*60*float64(k))) / acc
		}
		if offset+u >= seconds-0.05 {
			break
		}
		s.Beats = append(s.Beats, offset+u)
	}
	return s
}

// WriteSong writes the song as a 22.05 kHz mono FLAC (the tracker listens below 5.5 kHz) in dir and returns its path.
func WriteSong(t testing.TB, dir string, s Song) string {
	t.Helper()
	Need(t, "ffmpeg")
	out := filepath.Join(dir, s.Name+".flac")
	run(t, "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
		"aevalsrc='"+s.expr+"':s=22050:d="+ftoa(s.Seconds), "-c:a", "flac", out)
	return out
}

// Ambient is sound with no beat: pink noise swelling and fading slowly under a drone.
func Ambient(t testing.TB, dir string, seconds float64) string {
	t.Helper()
	Need(t, "ffmpeg")
	out := filepath.Join(dir, "ambient.flac")
	run(t, "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "anoisesrc=c=pink:r=22050:a=0.3:seed=1:d="+ftoa(seconds),
		"-f", "lavfi", "-i", "aevalsrc='0.1*sin(2*PI*110*t)*(0.6+0.4*sin(2*PI*0.13*t))':s=22050:d="+ftoa(seconds),
		"-filter_complex", "[0]volume='0.55+0.45*sin(2*PI*0.07*t)':eval=frame[n];[n][1]amix=inputs=2:normalize=0",
		"-c:a", "flac", out)
	return out
}

// SpeechLike is noise in the band of a voice, in bursts the length of syllables at an
// irregular rate, with pauses between phrases: onsets everywhere, no beat.
func SpeechLike(t testing.TB, dir string, seconds float64) string {
	t.Helper()
	Need(t, "ffmpeg")
	out := filepath.Join(dir, "speech.flac")
	env := "pow(max(0,sin(2*PI*4.1*t+3*sin(2*PI*0.71*t)+2.3*sin(2*PI*0.29*t+1))),2)*gt(sin(2*PI*0.19*t)+0.4*sin(2*PI*0.53*t),-0.5)"
	run(t, "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "anoisesrc=c=pink:r=22050:a=0.5:seed=2:d="+ftoa(seconds),
		"-af", "bandpass=f=800:width_type=o:w=2,volume='"+env+"':eval=frame", "-c:a", "flac", out)
	return out
}
