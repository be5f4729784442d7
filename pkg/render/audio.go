package render

import (
	"fmt"
	"math"

	"github.com/simvid/simvid/pkg/simvid"
)

// AudioBitrate and AudioRate are the output audio's settings; the working copy made at upload
// is 48 kHz stereo FLAC already.
const (
	AudioBitrate = "192k"
	AudioRate    = 48000
)

// AudioPlan is the music of a render, worked out to fit the video exactly.
type AudioPlan struct {
	Asset   string
	SHA256  string
	Start   float64 // seconds into the track
	End     float64 // seconds into the track, > Start
	Fit     string  // loop, trim
	Loop    bool    // the clip is shorter than the video and repeats
	FadeIn  float64
	FadeOut float64 // ends at the end of the video
	Volume  float64
	Norm    bool  // loudness-normalise to LoudnessTarget
	Frames  int64 // the video's length
	FPS     int
	Key     string       // the whole track: its pieces joined
	Pieces  []AudioPiece // in order; together they are the track
	// Clips are the clips' own sounds, mixed in at their places; the music ducks by Duck
	// (a gain, 1 = none) under each. Asset is "" when there is no music, only their sound.
	Clips []ClipSound
	Duck  float64
}

// Seconds is the video's (and so the music's) exact length.
func (a *AudioPlan) Seconds() float64 { return float64(a.Frames) / float64(a.FPS) }

func planAudio(in Input, frames int64, fps int, slides []SlidePlan) (*AudioPlan, error) {
	s := &in.Spec
	sounds := clipSounds(slides, fps)
	duck, err := duckGain(s.Music.DuckDB)
	if err != nil {
		return nil, err
	}
	if len(s.Audio) == 0 {
		if len(sounds) == 0 {
			return nil, nil
		}
		a := &AudioPlan{Frames: frames, FPS: fps, Volume: 1, Norm: s.Music.Normalize, Clips: sounds, Duck: 1}
		a.Pieces = audioPieces(a, in.FFmpegVersion)
		a.Key = audioKey(a)
		return a, nil
	}
	clip := s.Audio[0]
	info, ok := in.Audio[clip.Asset]
	if !ok {
		return nil, simvid.Errorf(simvid.EUnprocessable, "the music (%s) is not in the project", clip.Asset)
	}
	a := &AudioPlan{Asset: clip.Asset, SHA256: info.SHA256, Start: clip.Start, End: clip.End,
		Fit: s.Music.Fit, FadeIn: s.Music.FadeIn, FadeOut: s.Music.FadeOutSeconds(),
		Volume: s.Music.Volume, Norm: s.Music.Normalize, Frames: frames, FPS: fps}
	if a.End <= 0 || (info.Duration > 0 && a.End > info.Duration) {
		a.End = info.Duration
	}
	if a.End <= a.Start {
		return nil, simvid.Errorf(simvid.EUnprocessable, "the music starts at %g s but the track lasts %g s", a.Start, info.Duration)
	}
	if a.Volume == 0 {
		a.Volume = 1
	}
	video := a.Seconds()
	a.FadeIn = min(a.FadeIn, video)
	a.FadeOut = min(a.FadeOut, video)
	a.Loop = a.Fit == "loop" && a.End-a.Start < video
	a.Clips, a.Duck = sounds, duck
	a.Pieces = audioPieces(a, in.FFmpegVersion)
	a.Key = audioKey(a)
	return a, nil
}

// The music track is AAC in frames of AACFrame samples. The encoder puts one frame of
// priming before the music (the MP4 edit list skips it), so packet g of a track decodes to
// the track's samples [(g-1)*AACFrame, g*AACFrame) and a track of n samples has
// ceil(n/AACFrame)+1 packets.
//
// A track is made of pieces of pieceFrames packets, each cut from the output of its own
// encoder. An encoder is fed the music from piecePreroll frames before its piece (so that
// the packets it keeps are those of an encoder that has run for a while: its psychoacoustic
// state and bit reservoir settled, the frame before the piece's first overlapping the same
// samples) to piecePostroll frames after it (the look-ahead that decides the piece's last
// windows; the kept packets do not change with more). Joined, the pieces decode about as
// well as one encoder's track (TestAudioPiecesDecodeAsOne measures it: ffmpeg's AAC
// encoder is chaotic, the same music from another start differs by a dB or two and now and
// then much more at a transient; pieces of 2 s with 8 frames before them lost 2-3 dB and
// took 3% more bits, pieces of 4 s with a second before them are within that spread). A
// piece is cached by the samples it covers: a fade-in edit touches the first piece (or the
// first two, past a second), a longer video the last ones and the fade-out's.
const (
	AACFrame      = 1024
	pieceFrames   = 188 // 4.01 s at 48 kHz: a fade edit re-encodes about that much music
	firstFrames   = 94  // the first piece, 2 s: the one a fade-in edit of up to 1 s makes again
	piecePreroll  = 47  // 1 s
	piecePostroll = 4
)

// AudioPiece is one piece of the music track: packets [First, First+Take) of the track,
// taken from an encoder fed the track's samples [From, To); its own packets [Skip,
// Skip+Take) are the ones kept.
type AudioPiece struct {
	First, Take, Skip int64
	From, To          int64
	Key               string
}

// Packets is how many AAC packets an encoder gives for the piece's samples.
func (p AudioPiece) Packets() int64 { return packets(p.To - p.From) }

func packets(samples int64) int64 { return (samples+AACFrame-1)/AACFrame + 1 }

// Samples is the track's length in samples: the video's length at AudioRate.
func (a *AudioPlan) Samples() int64 { return a.Frames * AudioRate / int64(a.FPS) }

// span is the plan's timing in samples: the clip in the working copy, the fades in the track.
type span struct{ clipFrom, clipTo, fadeIn, fadeOut, n int64 }

func (a *AudioPlan) span() span {
	return span{clipFrom: samplesOf(a.Start), clipTo: samplesOf(a.End), fadeIn: samplesOf(a.FadeIn),
		fadeOut: samplesOf(a.FadeOut), n: a.Samples()}
}

func samplesOf(sec float64) int64 { return int64(math.Round(sec * AudioRate)) }

// audioPieces cuts the track into pieces and names each by what decides its bytes. Loudness
// normalisation looks at the whole track, so a normalised track is one piece. Under clips'
// sounds the pieces stay those of the music alone: a piece no clip's sound or ducking reaches
// keeps the music's own key (cached across renders, whatever the clips do elsewhere), one that
// they reach is named by them too (issue 21).
func audioPieces(a *AudioPlan, ffmpegVersion string) []AudioPiece {
	sp := a.span()
	total := packets(sp.n)
	var out []AudioPiece
	for first := int64(0); first < total; first += out[len(out)-1].Take {
		size := int64(pieceFrames)
		switch {
		case a.Norm:
			// Loudness normalisation looks at the whole track.
			size = total
		case first == 0:
			// It starts where a single encoder starts, so it may be short without losing
			// anything to the encoder's settling.
			size = firstFrames
		}
		p := AudioPiece{First: first, Take: min(size, total-first), To: sp.n}
		start := max(0, first-piecePreroll)
		p.From, p.Skip = start*AACFrame, first-start
		if first+p.Take < total {
			p.To = min(sp.n, (first+p.Take-1+piecePostroll)*AACFrame)
		}
		// A piece within the clip's first pass is the same samples whether the clip loops
		// after it or not: the same key, so that a looping show finds the pieces made when
		// its music became ready (TrackPieces, which does not loop).
		loops := a.Loop && p.To > sp.clipTo-sp.clipFrom
		parts := []any{"audio piece", a.SHA256, sp.clipFrom, sp.clipTo, loops, ff(a.Volume),
			p.First, p.Take, p.Skip, p.From, p.To, AudioBitrate, ffmpegVersion}
		if sp.fadeIn > p.From { // the fade-in reaches into the samples this encoder sees
			parts = append(parts, "fade in", sp.fadeIn)
		}
		if sp.fadeOut > 0 && sp.n-sp.fadeOut < p.To {
			parts = append(parts, "fade out", sp.n, sp.fadeOut)
		}
		if a.Norm {
			parts = append(parts, loudnorm, sp.n, sp.fadeIn, sp.fadeOut)
		}
		if cs := a.clipsReaching(p); len(cs) > 0 { // only then, so that the music's own keys stay
			parts = append(parts, "clip sounds", a.Asset == "", ff(a.Duck), clipSoundsKey(cs))
		}
		p.Key = keyOf(parts...)
		out = append(out, p)
	}
	return out
}

// seekMargin is how far before the first sample it needs an encoder seeks the working copy:
// a seek lands on a FLAC frame at or before the time asked, and the trims that follow are
// exact to the sample whatever it landed on.
const seekMargin = AudioRate

// AudioPiecesArgs makes the given pieces of the track (in order) with one ffmpeg, one output
// file each: the working copy is decoded once, cut to the clip, repeated (loop) or padded
// with silence (trim), faded, and each piece's samples go to an encoder of their own. All
// trims and fades are in samples on the track's own timestamps, which start at 0 at the
// track's first sample whatever part of the working copy is read, so every piece sees
// exactly the samples a single pass would give it. Only numbers go into the graph.
func AudioPiecesArgs(a *AudioPlan, pieces []AudioPiece, workPath string, outPaths []string) []string {
	args, _ := AudioMixArgs(a, pieces, workPath, nil, outPaths)
	return args
}

// AudioMixArgs is AudioPiecesArgs with the clips' sounds mixed in (a.Clips, read from
// clipPaths in the same order) and the music ducked under them; with no music (a.Asset "")
// the clips' sounds are mixed over silence. Only the pieces a clip reaches take the mix; the
// others take the music as AudioPiecesArgs gives it, and only the clips that reach a piece
// asked for are read. A mixed piece is the same whatever run makes it: the mix starts on the
// ducking's frame grid and each clip's sound is placed from the mix's first sample.
func AudioMixArgs(a *AudioPlan, pieces []AudioPiece, workPath string, clipPaths, outPaths []string) ([]string, error) {
	if len(a.Clips) > 0 && len(clipPaths) != len(a.Clips) {
		return nil, fmt.Errorf("render: %d clip sounds, %d files", len(a.Clips), len(clipPaths))
	}
	var mixed, plain []int // the pieces' indices
	var used []int         // the clips that reach any of the pieces, in order
	for i, p := range pieces {
		if len(a.clipsReaching(p)) > 0 {
			mixed = append(mixed, i)
		} else {
			plain = append(plain, i)
		}
	}
	for i, c := range a.Clips {
		for _, p := range pieces {
			if c.reaches(p) {
				used = append(used, i)
				break
			}
		}
	}
	sp := a.span()
	from, to := pieces[0].From, pieces[0].To
	for _, p := range pieces {
		from, to = min(from, p.From), max(to, p.To)
	}
	// The working copy is intake's FLAC of the user's music: read as FLAC and nothing else.
	args := []string{"-protocol_whitelist", "file", "-f", "flac"}
	g := "[0:a]"
	var first int64 // the track's sample the graph starts at
	switch {
	case a.Asset == "": // no music: the clips' sounds over silence
		args = []string{"-f", "lavfi"}
		workPath = fmt.Sprintf("anullsrc=r=%d:cl=stereo", AudioRate)
		g += "asetpts=N/SR/TB"
	case a.Norm || a.Loop:
		// The loop repeats the clip from its start; loudnorm needs all of it.
		g += fmt.Sprintf("atrim=start_pts=%d:end_pts=%d,asetpts=PTS-%d", sp.clipFrom, sp.clipTo, sp.clipFrom)
		if a.Norm {
			g += "," + loudnorm + ",asetpts=N/SR/TB"
		}
		if a.Loop {
			// aloop holds one clip in memory; a size above the clip's real length is fine (it
			// loops what it got at the end of its input), below it would drop the clip's tail.
			g += fmt.Sprintf(",aloop=loop=-1:size=%d,asetpts=N/SR/TB", sp.clipTo-sp.clipFrom+AudioRate)
		}
	default:
		// Read the clip from the first sample needed; keep a little of it when the pieces lie
		// in the silence after it, so that apad has a stream to continue.
		first = max(0, min(from, sp.clipTo-sp.clipFrom-2*AACFrame))
		if len(used) > 0 {
			first -= first % duckFrame
		}
		start := sp.clipFrom + first
		if start-seekMargin > 0 {
			args = append(args, "-noaccurate_seek", "-copyts", "-ss", ff(float64(start-seekMargin)/AudioRate))
		}
		g += fmt.Sprintf("atrim=start_pts=%d:end_pts=%d,asetpts=PTS-%d", start, sp.clipTo, sp.clipFrom)
	}
	g += fmt.Sprintf(",apad,atrim=end_pts=%d", to)
	if sp.fadeIn > 0 {
		g += fmt.Sprintf(",afade=t=in:ss=0:ns=%d", sp.fadeIn)
	}
	if sp.fadeOut > 0 {
		g += fmt.Sprintf(",afade=t=out:ss=%d:ns=%d", sp.n-sp.fadeOut, sp.fadeOut)
	}
	if a.Volume != 1 {
		g += fmt.Sprintf(",volume=%s", ff(a.Volume))
	}
	in := fileURL(workPath)
	if a.Asset == "" {
		in = workPath
	}
	args = append(args, "-i", in)
	split := func(idx []int) string {
		s := fmt.Sprintf("asplit=%d", len(idx))
		for _, i := range idx {
			s += fmt.Sprintf("[s%d]", i)
		}
		return s
	}
	switch {
	case len(mixed) == 0:
		g += "," + split(plain)
	default:
		if len(plain) > 0 {
			g += ",asplit=2[plain][music];[plain]" + split(plain)
		} else {
			g += "[music]"
		}
		sounds := make([]ClipSound, len(used))
		paths := make([]string, len(used))
		for i, c := range used {
			sounds[i], paths[i] = a.Clips[c], clipPaths[c]
		}
		mix, inputs, err := clipMix(a, sounds, first, paths)
		if err != nil {
			return nil, err
		}
		g += mix + "," + split(mixed)
		args = append(args, inputs...)
	}
	for i, p := range pieces {
		g += fmt.Sprintf(";[s%d]atrim=start_pts=%d:end_pts=%d,asetpts=PTS-STARTPTS[p%d]", i, p.From, p.To, i)
	}
	args = append(args, "-filter_complex", g)
	for i := range pieces {
		args = append(args, "-map", fmt.Sprintf("[p%d]", i), "-c:a", "aac", "-b:a", AudioBitrate,
			"-ar", fmt.Sprint(AudioRate), "-f", "ipod", fileURL(outPaths[i]))
	}
	return args, nil
}
