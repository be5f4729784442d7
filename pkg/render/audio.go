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
	Key     string
}

// Seconds is the video's (and so the music's) exact length.
func (a *AudioPlan) Seconds() float64 { return float64(a.Frames) / float64(a.FPS) }

func planAudio(in Input, frames int64, fps int) (*AudioPlan, error) {
	s := &in.Spec
	if len(s.Audio) == 0 {
		return nil, nil
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
	a.Key = audioKey(a, in.FFmpegVersion)
	return a, nil
}

// AudioArgs cuts the clip from the working copy, repeats it (loop) or pads it with silence
// (trim) to cover the video, fades it and encodes AAC of exactly the video's length.
func AudioArgs(a *AudioPlan, workPath, outPath string) []string {
	video := a.Seconds()
	f := fmt.Sprintf("[0:a]atrim=start=%s:end=%s,asetpts=N/SR/TB", ff(a.Start), ff(a.End))
	if a.Norm {
		f += "," + loudnorm
	}
	if a.Loop {
		// aloop holds one clip in memory; a size above the clip's real length is fine (it
		// loops what it got at the end of its input), below it would drop the clip's tail.
		size := int64(math.Ceil((a.End-a.Start)*AudioRate)) + AudioRate
		f += fmt.Sprintf(",aloop=loop=-1:size=%d", size)
	}
	f += fmt.Sprintf(",apad,atrim=end_sample=%d", int64(math.Round(video*AudioRate)))
	if a.FadeIn > 0 {
		f += fmt.Sprintf(",afade=t=in:d=%s", ff(a.FadeIn))
	}
	if a.FadeOut > 0 {
		f += fmt.Sprintf(",afade=t=out:st=%s:d=%s", ff(video-a.FadeOut), ff(a.FadeOut))
	}
	if a.Volume != 1 {
		f += fmt.Sprintf(",volume=%s", ff(a.Volume))
	}
	f += "[a]"
	return []string{"-i", fileURL(workPath), "-filter_complex", f, "-map", "[a]", "-vn",
		"-c:a", "aac", "-b:a", AudioBitrate, "-ar", fmt.Sprint(AudioRate), "-f", "ipod", fileURL(outPath)}
}
