package service

import (
	"context"
	"io"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/simvid"
)

// SetMusic takes an uploaded music file as the project's music (replacing any before it) and
// queues the making of its working copy. start and end trim it (end 0: to the end).
func (s *Service) SetMusic(ctx context.Context, projectID, name string, r io.Reader, start, end float64) (*simvid.Project, *simvid.Asset, error) {
	p, err := s.GetProject(ctx, projectID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.checkDisk(); err != nil {
		return nil, nil, err
	}
	a, err := s.intake.Audio(ctx, projectID, name, r)
	if err != nil {
		return nil, nil, err
	}
	clip := simvid.AudioClip{Asset: a.ID, Start: start, End: end}
	if err := checkClip(clip, a.Duration); err != nil {
		_ = s.files.DeleteAsset(projectID, a.ID)
		return nil, nil, err
	}
	p, err = s.useMusic(ctx, p.ID, a, clip)
	if err != nil {
		_ = s.files.DeleteAsset(projectID, a.ID)
		return nil, nil, err
	}
	return p, a, nil
}

// useMusic records a new music asset, makes it the project's music (forgetting the one
// before it) and queues its preparation.
func (s *Service) useMusic(ctx context.Context, projectID string, a *simvid.Asset, clip simvid.AudioClip) (*simvid.Project, error) {
	if err := s.store.CreateAsset(ctx, a); err != nil {
		return nil, err
	}
	var old []simvid.AudioClip
	p, err := s.store.UpdateProject(ctx, projectID, func(p *simvid.Project) error {
		old = p.Spec.Audio
		p.Spec.Audio = []simvid.AudioClip{clip}
		return nil
	})
	if err != nil {
		_ = s.store.DeleteAsset(ctx, a.ID)
		return nil, err
	}
	for _, c := range old {
		s.forgetAsset(ctx, projectID, c.Asset)
	}
	if err := s.queue.EnqueuePrepareAudio(ctx, a.ID); err != nil {
		// The reconciler enqueues it once the queue is back; the asset itself is safe.
		s.log.Warn("enqueue music preparation", zap.String("asset_id", a.ID), zap.Error(err))
	}
	return p, nil
}

// UpdateMusic changes the trim of the project's music.
func (s *Service) UpdateMusic(ctx context.Context, projectID string, start, end *float64) (*simvid.Project, error) {
	p, err := s.GetProject(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if len(p.Spec.Audio) == 0 {
		return nil, simvid.Errorf(simvid.EConflict, "the project has no music")
	}
	a, err := s.store.GetAsset(ctx, p.Spec.Audio[0].Asset)
	if err != nil {
		return nil, err
	}
	return s.premixed(ctx)(s.store.UpdateProject(ctx, projectID, func(p *simvid.Project) error {
		if len(p.Spec.Audio) == 0 || p.Spec.Audio[0].Asset != a.ID {
			return simvid.Errorf(simvid.EConflict, "the music changed meanwhile; try again")
		}
		c := &p.Spec.Audio[0]
		set(&c.Start, start)
		set(&c.End, end)
		return checkClip(*c, a.Duration)
	}))
}

// RemoveMusic takes the music out of the project.
func (s *Service) RemoveMusic(ctx context.Context, projectID string) (*simvid.Project, error) {
	if err := checkID(simvid.PrefixProject, projectID, "project"); err != nil {
		return nil, err
	}
	var old []simvid.AudioClip
	p, err := s.store.UpdateProject(ctx, projectID, func(p *simvid.Project) error {
		old, p.Spec.Audio = p.Spec.Audio, nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, c := range old {
		s.forgetAsset(ctx, projectID, c.Asset)
	}
	return p, nil
}

// checkClip validates a trim against the track's length.
func checkClip(c simvid.AudioClip, length float64) error {
	if c.Start < 0 || c.End < 0 {
		return simvid.Errorf(simvid.EUnprocessable, "music start and end must be 0 or more seconds")
	}
	if c.End != 0 && c.End <= c.Start {
		return simvid.Errorf(simvid.EUnprocessable, "music end (%.1f s) must come after its start (%.1f s)", c.End, c.Start)
	}
	if length > 0 && c.Start >= length {
		return simvid.Errorf(simvid.EUnprocessable, "music start (%.1f s) is past the end of the track (%.1f s)", c.Start, length)
	}
	if length > 0 && c.End > length+0.05 {
		return simvid.Errorf(simvid.EUnprocessable, "music end (%.1f s) is past the end of the track (%.1f s)", c.End, length)
	}
	return nil
}

// MusicToAdopt finds an already uploaded music asset (the origin's audio_id, uploaded before
// the project existed) for a caller (an API key id, "" for anonymous) and returns it as a
// clip with the trim given with it. Music stored in a project of an API key is the key's:
// anyone else gets 404, as for the project itself. Anonymous music is anyone's who holds its
// id, 128 random bits, as anonymous projects are. It changes nothing.
func (s *Service) MusicToAdopt(ctx context.Context, assetID, owner string) (simvid.AudioClip, error) {
	clip := simvid.AudioClip{Asset: assetID}
	if err := checkID(simvid.PrefixAudio, assetID, "audio"); err != nil {
		return clip, err
	}
	gone := simvid.Errorf(simvid.ENotFound, "audio not found; upload it again")
	a, err := s.store.GetAsset(ctx, assetID)
	if err != nil || a.Kind != simvid.KindAudio {
		return clip, gone
	}
	home, err := s.store.GetProject(ctx, a.ProjectID)
	if err != nil || (home.OwnerKey != "" && home.OwnerKey != owner) {
		return clip, gone
	}
	if a.State == simvid.AssetFailed {
		return clip, simvid.Errorf(simvid.EUnprocessable, "the music could not be prepared: %s", a.Error)
	}
	for _, c := range home.Spec.Audio {
		if c.Asset == assetID {
			clip = c // the trim given with the music (/download_youtube's start and end)
		}
	}
	return clip, nil
}

// AdoptMusic makes a clip found by MusicToAdopt the project's music. The asset stays where
// it was stored.
func (s *Service) AdoptMusic(ctx context.Context, projectID string, clip simvid.AudioClip) error {
	// Music uploaded before the project may be ready already: no audio job will queue its mix.
	_, err := s.premixed(ctx)(s.store.UpdateProject(ctx, projectID, func(p *simvid.Project) error {
		p.Spec.Audio = []simvid.AudioClip{clip}
		return nil
	}))
	return err
}
