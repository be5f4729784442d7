package service

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/simvid"
)

// StartRender freezes the project's spec into a new render and queues it. client identifies
// who asked (an IP or an API key) for the limit on unfinished renders; callback, when set, is
// the webhook called when the render finishes; base starts the absolute links of its body.
func (s *Service) StartRender(ctx context.Context, projectID, client, callback, base string) (*simvid.Render, error) {
	p, err := s.GetProject(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if len(p.Spec.Slides) == 0 {
		return nil, simvid.Errorf(simvid.EConflict, "the project has no pictures yet; add at least one")
	}
	return s.startRender(ctx, p, p.Spec, client, callback, base)
}

// StartPreview queues a quick draft of the project: the same slides and music at a small
// size of the same shape and draft quality (simvid.PreviewOutput), to watch before the full
// render.
func (s *Service) StartPreview(ctx context.Context, projectID, client string) (*simvid.Render, error) {
	p, err := s.GetProject(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if len(p.Spec.Slides) == 0 {
		return nil, simvid.Errorf(simvid.EConflict, "the project has no pictures yet; add at least one")
	}
	spec := p.Spec
	spec.Normalize()
	spec.Output = simvid.PreviewOutput(spec.Output)
	return s.startRender(ctx, p, spec, client, "", "")
}

// RenderSpec renders a full spec given in the request, whose slides and music name assets
// already uploaded to project projectID. The project's own settings are left as they are.
func (s *Service) RenderSpec(ctx context.Context, projectID string, spec simvid.Spec, client, callback, base string) (*simvid.Render, error) {
	p, err := s.GetProject(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if len(spec.Slides) == 0 {
		return nil, simvid.Errorf(simvid.EUnprocessable, "spec.slides: give at least one slide")
	}
	for i := range spec.Slides {
		sl := &spec.Slides[i]
		if err := s.checkAsset(ctx, p.ID, sl.Asset, simvid.KindImage, fmt.Sprintf("spec.slides[%d].asset", i)); err != nil {
			return nil, err
		}
		if sl.ID == "" {
			sl.ID = simvid.NewID(simvid.PrefixSlide)
		}
	}
	for i, c := range spec.Audio {
		if err := s.checkAsset(ctx, p.ID, c.Asset, simvid.KindAudio, fmt.Sprintf("spec.audio[%d].asset", i)); err != nil {
			return nil, err
		}
	}
	return s.startRender(ctx, p, spec, client, callback, base)
}

// AdminClient is the client of renders the admin starts; the per-client cap does not count them.
const AdminClient = "admin"

// RetryRender runs a finished render's frozen spec again as a new render, so the history of
// the old one stays as it was. It starts like any render (validated, recorded, the project
// touched, queued) with the old one's webhook and links.
func (s *Service) RetryRender(ctx context.Context, id string) (*simvid.Render, error) {
	old, err := s.GetRender(ctx, id)
	if err != nil {
		return nil, err
	}
	if !old.State.Finished() {
		return nil, simvid.Errorf(simvid.EConflict, "the render is still %s; cancel it first", old.State)
	}
	p, err := s.GetProject(ctx, old.ProjectID)
	if err != nil {
		return nil, err
	}
	return s.startRender(ctx, p, old.Spec, AdminClient, old.CallbackURL, old.LinkBase)
}

// RequeueRender puts a failed render back to queued, for a dead job the admin retried; a
// render in any other state is left as it is (EConflict).
func (s *Service) RequeueRender(ctx context.Context, id string) (*simvid.Render, error) {
	if err := checkID(simvid.PrefixRender, id, "render"); err != nil {
		return nil, err
	}
	r, err := s.store.UpdateRender(ctx, id, func(r *simvid.Render) error {
		if !r.Requeue() {
			return simvid.Errorf(simvid.EConflict, "the render is %s, not failed", r.State)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.notify(ctx, r)
	return r, nil
}

func (s *Service) checkAsset(ctx context.Context, projectID, id, kind, field string) error {
	prefix := simvid.PrefixImage
	if kind == simvid.KindAudio {
		prefix = simvid.PrefixAudio
	}
	if !simvid.ValidID(prefix, id) {
		return simvid.Errorf(simvid.EUnprocessable, "%s: %q is not an uploaded %s's id", field, id, kind)
	}
	// Another project's file is not found, whoever owns it: 404, as for an unknown id.
	a, err := s.store.GetAsset(ctx, id)
	if simvid.IsCode(err, simvid.ENotFound) || (err == nil && a.ProjectID != projectID) {
		return simvid.Errorf(simvid.ENotFound, "%s: %s is not a file of project %s; upload every file of one render to one project", field, id, projectID)
	}
	return err
}

func (s *Service) startRender(ctx context.Context, p *simvid.Project, spec simvid.Spec, client, callback, base string) (*simvid.Render, error) {
	spec.Normalize()
	if err := spec.Validate(s.transitions, s.limits.Spec); err != nil {
		return nil, err
	}
	if err := s.checkClipSlides(ctx, &spec, ""); err != nil {
		return nil, err
	}
	spec = spec.Frozen()
	for _, c := range spec.Audio {
		a, err := s.store.GetAsset(ctx, c.Asset)
		if err != nil {
			return nil, simvid.Errorf(simvid.EConflict, "the project's music is gone; choose it again")
		}
		if a.State == simvid.AssetFailed {
			return nil, simvid.Errorf(simvid.EConflict, "the music could not be prepared (%s); remove it or upload another file", a.Error)
		}
	}
	if s.limits.UnfinishedRenders > 0 && client != "" && client != AdminClient {
		// Two requests at once must not both pass the count: the count and the insert
		// happen under the client's lock.
		unlock, err := s.lockClient(ctx, client)
		if err != nil {
			return nil, err
		}
		defer unlock()
		n, err := s.store.CountRenders(ctx, simvid.RenderFilter{Client: client, States: simvid.UnfinishedStates()})
		if err != nil {
			return nil, err
		}
		if n >= s.limits.UnfinishedRenders {
			return nil, simvid.Errorf(simvid.ERateLimited, "you already have %d videos being made; wait for one to finish", n)
		}
	}
	r := simvid.NewRender(p.ID, spec, time.Now().UTC())
	r.Client, r.CallbackURL, r.LinkBase = client, callback, base
	if err := s.store.CreateRender(ctx, r); err != nil {
		return nil, err
	}
	// Touch the project: a render is activity, and it keeps the project from expiring.
	_, _ = s.store.UpdateProject(ctx, p.ID, func(*simvid.Project) error { return nil })
	if err := s.queue.EnqueueRender(ctx, r.ID); err != nil {
		// The record is the truth: the reconciler enqueues it as soon as the queue is back.
		s.log.Warn("enqueue render; the reconciler will retry", zap.String("render_id", r.ID), zap.Error(err))
	}
	return r, nil
}

// lockClient takes the lock under which a client's renders are counted and created.
func (s *Service) lockClient(ctx context.Context, client string) (func(), error) {
	if s.clientLock == nil {
		s.localMu.Lock()
		return s.localMu.Unlock, nil
	}
	unlock, err := s.clientLock(ctx, client)
	if err != nil {
		return nil, simvid.Wrap(simvid.EUnavailable, err, "too many render requests at once; try again in a moment")
	}
	return unlock, nil
}

// GetRender returns a render by id.
func (s *Service) GetRender(ctx context.Context, id string) (*simvid.Render, error) {
	if err := checkID(simvid.PrefixRender, id, "render"); err != nil {
		return nil, err
	}
	return s.store.GetRender(ctx, id)
}

// ListRenders returns a project's renders, newest first.
func (s *Service) ListRenders(ctx context.Context, projectID string, limit int) ([]*simvid.Render, error) {
	if err := checkID(simvid.PrefixProject, projectID, "project"); err != nil {
		return nil, err
	}
	return s.store.ListRenders(ctx, simvid.RenderFilter{ProjectID: projectID, Limit: limit})
}

// CancelRender stops a render: a queued one at once, a running one within a second or two
// (its worker kills ffmpeg and records the end).
func (s *Service) CancelRender(ctx context.Context, id string) (*simvid.Render, error) {
	if err := checkID(simvid.PrefixRender, id, "render"); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	r, err := s.store.UpdateRender(ctx, id, func(r *simvid.Render) error { return r.AskCancel(now) })
	if err != nil {
		return nil, err
	}
	s.notify(ctx, r)
	if err := s.queue.Cancel(ctx, id); err != nil {
		return nil, err
	}
	if r.State == simvid.StateCanceled {
		s.Finished(ctx, r)
	}
	return r, nil
}

// Finished queues the webhook of a render that just finished, when it has one (the queue
// sends it once).
func (s *Service) Finished(ctx context.Context, r *simvid.Render) {
	if r.CallbackURL == "" {
		if p, err := s.store.GetProject(ctx, r.ProjectID); err != nil || p.OwnerKey == "" {
			return
		}
	}
	if err := s.queue.EnqueueWebhook(ctx, r.ID); err != nil {
		s.log.Warn("enqueue webhook", zap.String("render_id", r.ID), zap.Error(err))
	}
}
