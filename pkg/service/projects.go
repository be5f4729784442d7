package service

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/jsonbody"
	"github.com/simvid/simvid/pkg/simvid"
)

// Settings is a partial change of a project's render settings: each present object is merged
// into the current one, field by field.
type Settings struct {
	Output     json.RawMessage `json:"output,omitempty"`
	Defaults   json.RawMessage `json:"defaults,omitempty"`
	Transition json.RawMessage `json:"transition,omitempty"`
	Music      json.RawMessage `json:"music,omitempty"`
	Title      json.RawMessage `json:"title,omitempty"` // {"text": ""} removes it
	End        json.RawMessage `json:"end,omitempty"`
	// Order and Chapters are the spec's play order and day chapters (issue 22).
	Order    *string         `json:"order,omitempty"`
	Chapters *string         `json:"chapters,omitempty"`
	BeatSync json.RawMessage `json:"beat_sync,omitempty"` // true or false
}

// CreateProject makes an empty project, with settings applied when given.
func (s *Service) CreateProject(ctx context.Context, settings *Settings, owner string) (*simvid.Project, error) {
	now := time.Now().UTC()
	p := &simvid.Project{ID: simvid.NewID(simvid.PrefixProject), CreatedAt: now, UpdatedAt: now, OwnerKey: owner}
	p.Spec.Slides = []simvid.Slide{}
	p.Spec.Normalize()
	if settings != nil {
		if err := s.applySettings(&p.Spec, settings); err != nil {
			return nil, err
		}
	}
	if err := s.store.CreateProject(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// GetProject returns a project by id.
func (s *Service) GetProject(ctx context.Context, id string) (*simvid.Project, error) {
	if err := checkID(simvid.PrefixProject, id, "project"); err != nil {
		return nil, err
	}
	return s.store.GetProject(ctx, id)
}

// ProjectAssets returns a project's assets by id.
func (s *Service) ProjectAssets(ctx context.Context, id string) (map[string]*simvid.Asset, error) {
	list, err := s.store.ListAssets(ctx, id, "")
	if err != nil {
		return nil, err
	}
	m := make(map[string]*simvid.Asset, len(list))
	for _, a := range list {
		m[a.ID] = a
	}
	return m, nil
}

// UpdateSettings merges settings into a project and validates the result.
func (s *Service) UpdateSettings(ctx context.Context, id string, settings *Settings) (*simvid.Project, error) {
	if err := checkID(simvid.PrefixProject, id, "project"); err != nil {
		return nil, err
	}
	return s.premixed(ctx)(s.store.UpdateProject(ctx, id, func(p *simvid.Project) error {
		return s.applySettings(&p.Spec, settings)
	}))
}

func (s *Service) applySettings(spec *simvid.Spec, in *Settings) error {
	parts := []struct {
		name string
		raw  json.RawMessage
		dst  any
	}{{"output", in.Output, &spec.Output}, {"defaults", in.Defaults, &spec.Defaults},
		{"transition", in.Transition, &spec.Transition}, {"music", in.Music, &spec.Music},
		{"title", in.Title, &spec.Title}, {"end", in.End, &spec.End}, {"beat_sync", in.BeatSync, &spec.BeatSync}}
	resolutionWins(&spec.Output, in.Output)
	for _, p := range parts {
		if len(p.raw) == 0 || string(p.raw) == "null" {
			continue
		}
		if err := jsonbody.Decode(p.raw, p.dst, p.name); err != nil {
			return simvid.Errorf(simvid.EUnprocessable, "%s", err.Error())
		}
	}
	if spec.Transition.Name == "none" {
		spec.Transition.Duration = 0
	}
	if in.Order != nil {
		spec.Order = *in.Order
	}
	if in.Chapters != nil {
		spec.Chapters = *in.Chapters
	}
	spec.Normalize()
	return spec.Validate(s.transitions, s.limits.Spec)
}

// DeleteProject removes a project with every file and row. Unfinished renders are canceled
// first so that no worker writes into a folder that is gone.
func (s *Service) DeleteProject(ctx context.Context, id string) (int64, error) {
	if _, err := s.GetProject(ctx, id); err != nil {
		return 0, err
	}
	running, err := s.store.ListRenders(ctx, simvid.RenderFilter{ProjectID: id, States: simvid.UnfinishedStates()})
	if err != nil {
		return 0, err
	}
	for _, r := range running {
		if _, err := s.CancelRender(ctx, r.ID); err != nil && !simvid.IsCode(err, simvid.EConflict) {
			s.log.Warn("delete project: cancel render", zap.String("render_id", r.ID), zap.Error(err))
		}
	}
	freed, err := s.files.DeleteProject(id)
	if err != nil {
		return freed, fmt.Errorf("service: delete project files: %w", err)
	}
	if err := s.store.DeleteProject(ctx, id); err != nil {
		return freed, err
	}
	if s.notifyGone != nil {
		s.notifyGone(ctx, id)
	}
	s.log.Info("project deleted", zap.String("project_id", id), zap.Int64("freed_bytes", freed))
	return freed, nil
}
