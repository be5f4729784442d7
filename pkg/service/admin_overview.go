package service

import (
	"context"

	"github.com/simvid/simvid/pkg/simvid"
)

// The admin's dashboard and the Prometheus collector count what is stored and what is
// running through these; each part can fail on its own (the collector leaves it out).

// CountProjects returns how many projects are stored.
func (s *Service) CountProjects(ctx context.Context) (int, error) {
	return s.store.CountProjects(ctx)
}

// StoredUsage returns the files the database knows, by kind (image, audio, render).
func (s *Service) StoredUsage(ctx context.Context) (map[string]simvid.KindUsage, error) {
	return s.store.Usage(ctx)
}

// CountUnfinishedRenders returns how many renders are queued or running, everyone's.
func (s *Service) CountUnfinishedRenders(ctx context.Context) (int, error) {
	return s.store.CountRenders(ctx, simvid.RenderFilter{States: simvid.UnfinishedStates()})
}

// SearchRenders returns the renders q selects (states, project, creation window), newest
// first: the admin's render list and its dashboard's outcomes.
func (s *Service) SearchRenders(ctx context.Context, q simvid.RenderQuery) ([]*simvid.Render, error) {
	return s.store.SearchRenders(ctx, q)
}

// RecentRenders returns every project's renders, newest first, at most limit (the export).
func (s *Service) RecentRenders(ctx context.Context, limit int) ([]*simvid.Render, error) {
	return s.store.ListRenders(ctx, simvid.RenderFilter{Limit: limit})
}

// RecentProjects returns projects, the most recently active first, at most limit.
func (s *Service) RecentProjects(ctx context.Context, limit int) ([]*simvid.Project, error) {
	return s.store.ListProjects(ctx, simvid.ProjectFilter{Limit: limit})
}

// NewestDoneRender returns a project's newest finished render (its poster stands for the
// project in the admin's list), or nil when it has none.
func (s *Service) NewestDoneRender(ctx context.Context, projectID string) (*simvid.Render, error) {
	rs, err := s.store.ListRenders(ctx, simvid.RenderFilter{ProjectID: projectID, States: []simvid.RenderState{simvid.StateDone}, Limit: 1})
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	return rs[0], nil
}

// ListAssets returns a project's pictures and music, oldest first.
func (s *Service) ListAssets(ctx context.Context, projectID string) ([]*simvid.Asset, error) {
	if err := checkID(simvid.PrefixProject, projectID, "project"); err != nil {
		return nil, err
	}
	return s.store.ListAssets(ctx, projectID, "")
}
