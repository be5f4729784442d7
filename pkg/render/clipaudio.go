package render

import (
	"fmt"
	"math"
	"strings"

	"github.com/simvid/simvid/pkg/simvid"
)

// ClipSound is a clip slide's own sound on the timeline: clip seconds [In, In+Length) played
// at Speed from sample At of the track, faded in and out over the transitions into and out
// of its slide (at least duckFloor, so that no cut clicks). The sound runs under the whole
// slide, transitions included, while the picture holds the clip's end frames there (see
// addClipStills): sound and picture agree at every frame the clip plays.
type ClipSound struct {
	Slide   int
	Asset   string
	SHA256  string
	Format  string
	In      float64 // clip seconds
	Length  float64 // clip seconds played
	Speed   float64
	At      int64 // first sample on the track
	Samples int64 // samples on the track
	FadeIn  int64 // samples
	FadeOut int64
}

// DefaultDuckDB is how far the music drops under a clip's sound unless the project says.
const DefaultDuckDB = -12.0

// duckRamp is how long the music takes to drop before a clip's sound and to come back after.
const duckRamp = 0.25

// minSoundFade is the shortest fade at either end of a clip's sound, in samples (10 ms).
const minSoundFade = AudioRate / 100

// duckGain turns music.duck_db into a gain: nil is DefaultDuckDB, 0 none.
func duckGain(db *float64) (float64, error) {
	d := DefaultDuckDB
	if db != nil {
		d = *db
	}
	if math.IsNaN(d) || d > 0 || d < -60 {
		return 0, simvid.Errorf(simvid.EUnprocessable, "music.duck_db must be between -60 and 0 (got %g)", d)
	}
	return math.Pow(10, d/20), nil
}

// clipSounds lists the sounds of the clip slides that play theirs.
func clipSounds(slides []SlidePlan, fps int) []ClipSound {
	var out []ClipSound
	for _, sl := range slides {
		c := sl.Clip
		if !c.Sound() {
			continue
		}
		slideSec := float64(sl.Frames) / float64(fps)
		length := min(c.Out-c.In, slideSec*c.Speed)
		cs := ClipSound{Slide: sl.Index, Asset: c.Asset, SHA256: c.SHA256, Format: c.Format, In: c.In, Length: length,
			Speed: c.Speed, At: sl.Start * AudioRate / int64(fps), Samples: samplesOf(length / c.Speed)}
		cs.FadeIn = min(cs.Samples/2, max(minSoundFade, sl.In*AudioRate/int64(fps)))
		// The fade out ends with the sound: at the slide's end, or earlier when the slide holds
		// the clip's last frame.
		cs.FadeOut = min(cs.Samples/2, max(minSoundFade, sl.Out*AudioRate/int64(fps)))
		out = append(out, cs)
	}
	return out
}

func clipSoundsKey(cs []ClipSound) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%s %s %s %s %s %d %d %d %d;", c.SHA256, c.Format, ff(c.In), ff(c.Length), ff(c.Speed),
			c.At, c.Samples, c.FadeIn, c.FadeOut)
	}
	return b.String()
}

// duckExpr is the music's gain over time t (seconds) under the clips' sounds: 1 away from
// them, duck during each, linear ramps of duckRamp before and after.
func duckExpr(a *AudioPlan) string {
	d := ""
	for _, c := range a.Clips {
		s := float64(c.At) / AudioRate
		e := float64(c.At+c.Samples) / AudioRate
		one := fmt.Sprintf("clip(min((t-%s)/%s,(%s-t)/%s),0,1)", ff(s-duckRamp), ff(duckRamp), ff(e+duckRamp), ff(duckRamp))
		if d == "" {
			d = one
		} else {
			d = "max(" + d + "," + one + ")"
		}
	}
	return fmt.Sprintf("1-%s*%s", ff(1-a.Duck), d)
}

// duckFrame is how many samples the ducking's gain holds: it is worked out every 240 samples
// (5 ms), smooth ramps for little work, from each frame's first sample.
const duckFrame = 240

// reaches reports whether the clip's sound or the music's ducking under it changes any of
// the samples piece p's encoder sees: the ramps around it, and a frame of the gain more on
// either side (a frame takes the gain at its first sample).
func (c ClipSound) reaches(p AudioPiece) bool {
	margin := samplesOf(duckRamp) + 2*duckFrame
	return c.At-margin < p.To && p.From < c.At+c.Samples+margin
}

// clipsReaching lists the clips' sounds that reach piece p.
func (a *AudioPlan) clipsReaching(p AudioPiece) []ClipSound {
	var out []ClipSound
	for _, c := range a.Clips {
		if c.reaches(p) {
			out = append(out, c)
		}
	}
	return out
}

// clipMix ducks the music (the graph's [music], whose first sample is the track's sample
// first, a multiple of duckFrame) under the clips' sounds and mixes the given sounds in: each
// read from its in point for its length, resampled, sped up or slowed down (atempo keeps the
// pitch), loudness-matched to the music when it is normalised, faded and placed at its
// sample counted from first (cut at first when it starts before). The ducking follows all of
// a.Clips; a sound not given lies outside the pieces made. Only numbers go into the graph.
// It returns the filters, from ";[music]" to the mix's unlabelled output, and the clips'
// inputs (ffmpeg inputs 1..n).
func clipMix(a *AudioPlan, sounds []ClipSound, first int64, paths []string) (graph string, inputs []string, err error) {
	graph = ";[music]anull"
	if a.Duck < 1 && a.Asset != "" {
		graph = fmt.Sprintf(";[music]asetnsamples=n=%d:p=0,volume='%s':eval=frame", duckFrame, duckExpr(a))
	}
	var chains, mix string
	n := 0
	for i, c := range sounds {
		if c.At+c.Samples <= first {
			continue // the ducked music only: the sound is over before the pieces start
		}
		d := clipDemuxers[c.Format]
		if d == "" {
			return "", nil, fmt.Errorf("render: no demuxer for a clip in %q", c.Format)
		}
		inputs = append(inputs, "-protocol_whitelist", "file", "-f", d)
		if c.In > 0 {
			inputs = append(inputs, "-ss", fmt.Sprintf("%.6f", c.In))
		}
		inputs = append(inputs, "-t", fmt.Sprintf("%.6f", c.Length), "-i", fileURL(paths[i]))
		n++
		ch := fmt.Sprintf(";[%d:a:0]aresample=%d,aformat=sample_fmts=fltp:channel_layouts=stereo,asetpts=PTS-STARTPTS", n, AudioRate)
		if c.Speed != 1 {
			ch += ",atempo=" + ff(c.Speed)
		}
		if a.Norm {
			ch += "," + loudnorm
		}
		ch += fmt.Sprintf(",atrim=end_sample=%d,afade=t=in:ss=0:ns=%d,afade=t=out:ss=%d:ns=%d",
			c.Samples, c.FadeIn, c.Samples-c.FadeOut, c.FadeOut)
		if c.At >= first {
			ch += fmt.Sprintf(",adelay=delays=%dS:all=1", c.At-first)
		} else {
			ch += fmt.Sprintf(",atrim=start_sample=%d,asetpts=PTS-STARTPTS", first-c.At)
		}
		chains += ch + fmt.Sprintf("[clip%d]", n-1)
		mix += fmt.Sprintf("[clip%d]", n-1)
	}
	if n == 0 {
		return graph, inputs, nil
	}
	graph += "[ducked]" + chains + fmt.Sprintf(";[ducked]%samix=inputs=%d:normalize=0:duration=first", mix, n+1)
	return graph, inputs, nil
}
