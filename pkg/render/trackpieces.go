package render

import "github.com/simvid/simvid/pkg/simvid"

// TrackPieces plans the pieces of a music clip that a render of any video shorter than the
// clip shares with every other such render, whatever the video's length and the fades: the
// pieces lie on a fixed grid from the track's start (audioPieces), and a piece's key names
// only the samples its encoder sees and what changes them. A piece a fade reaches, or that
// the video's end cuts, gets another key in the render that needs it, and is made then: the
// first (a fade-in) and the last two or so. So when a track becomes ready its middle pieces
// can be made at once, before any render of it is planned, and a render that chooses the
// track makes only its ends (issue 20: a new track at render time). Settings that change
// every sample (music.volume) are the project's at that time; a loudness-normalised track is
// one piece that depends on the video's length, and nil is returned.
func TrackPieces(clip simvid.AudioClip, music simvid.MusicSpec, info Audio, ffmpegVersion string) *AudioPlan {
	a := &AudioPlan{Asset: clip.Asset, SHA256: info.SHA256, Start: clip.Start, End: clip.End,
		Fit: "trim", Volume: music.Volume, Norm: music.Normalize, FPS: AudioRate}
	if a.End <= 0 || (info.Duration > 0 && a.End > info.Duration) {
		a.End = info.Duration
	}
	if a.Norm || a.End <= a.Start {
		return nil
	}
	if a.Volume == 0 {
		a.Volume = 1
	}
	// A video exactly as long as the clip, in samples (FPS = AudioRate: a frame a sample).
	a.Frames = samplesOf(a.End) - samplesOf(a.Start)
	n := a.Samples()
	for _, p := range audioPieces(a, ffmpegVersion) {
		if p.To < n { // a piece at the clip's end is cut there: a shorter video cuts it elsewhere
			a.Pieces = append(a.Pieces, p)
		}
	}
	if len(a.Pieces) == 0 {
		return nil
	}
	a.Key = audioKey(a)
	return a
}
