package service

import (
	"context"

	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// SortSlides puts a project's slides in order once, by the rules a render's "order" follows
// (render.SortSlides): "taken" (the page's "Sort by date taken") or "name". Unlike the spec's
// order it changes the list itself, so the user can go on moving slides by hand.
func (s *Service) SortSlides(ctx context.Context, projectID, by string) (*simvid.Project, error) {
	if err := checkID(simvid.PrefixProject, projectID, "project"); err != nil {
		return nil, err
	}
	if by != simvid.OrderTaken && by != simvid.OrderName {
		return nil, simvid.Errorf(simvid.EUnprocessable, "sort must be taken or name (got %q)", by)
	}
	assets, err := s.ProjectAssets(ctx, projectID)
	if err != nil {
		return nil, err
	}
	images := make(map[string]render.Image, len(assets))
	for id, a := range assets {
		images[id] = render.Image{Name: a.OriginalName, TakenAt: a.TakenAt}
	}
	return s.premixed(ctx)(s.store.UpdateProject(ctx, projectID, func(p *simvid.Project) error {
		p.Spec.Slides = render.SortSlides(p.Spec.Slides, by, images)
		return nil
	}))
}
