package jobs

import (
	"context"

	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// prepareTrackPieces encodes, for music that has just become ready, the pieces of its track
// that every render of it shares whatever the show's length and fades (render.TrackPieces),
// at its project's volume. Music uploaded on its own (the origin's /upload_audio) and chosen
// at render time (/generate_video's audio_id) then needs only the ends of its track made
// and the pieces joined: the project it joins is not known here, so its whole mix cannot be
// (mix_music makes that when it is). An optimisation only: the caller logs what fails, and a
// render makes what is missing. pieces is how many pieces the plan holds.
func (w *Worker) prepareTrackPieces(ctx context.Context, a *simvid.Asset) (pieces int, err error) {
	p, err := w.Store.GetProject(ctx, a.ProjectID)
	if err != nil {
		return 0, err
	}
	clip := simvid.AudioClip{Asset: a.ID}
	for _, c := range p.Spec.Audio {
		if c.Asset == a.ID {
			clip = c // the trim given with the music
		}
	}
	plan := render.TrackPieces(clip, p.Spec.Music, render.Audio{SHA256: a.SHA256, Duration: a.Duration}, w.FFmpegVersion)
	if plan == nil {
		return 0, nil
	}
	workPath, err := w.Media.AudioWork(a.ProjectID, a.ID)
	if err != nil {
		return 0, err
	}
	// An encoder per core: they are what the audio queue's slot is for, and the music is
	// ready only once they are made.
	return len(plan.Pieces), w.Engine.PrepareAudioPieces(ctx, plan, workPath, 0)
}
