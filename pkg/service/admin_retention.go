package service

import (
	"context"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

// Retention is how long anonymous projects live after their last activity: the configured
// value, unless the admin stored its own.
type Retention struct {
	TTL        time.Duration // in effect; 0 = never expire
	Default    time.Duration // the configured value
	Overridden bool          // the admin's setting is in effect
}

// ExpiresAt returns when p expires under r, or the zero time when it never does (retention
// is off, or p was made with an API key).
func (r Retention) ExpiresAt(p *simvid.Project) time.Time {
	if r.TTL <= 0 || p.OwnerKey != "" {
		return time.Time{}
	}
	return p.UpdatedAt.Add(r.TTL)
}

// MaxRetentionDays bounds the admin's retention setting (about ten years).
const MaxRetentionDays = 3650

// Retention returns the retention in effect, the one the workers' sweep applies.
func (s *Service) Retention(ctx context.Context) Retention {
	_, err := s.store.GetSetting(ctx, store.SettingProjectTTL)
	return Retention{TTL: store.ProjectTTL(ctx, s.store, s.projectTTL), Default: s.projectTTL, Overridden: err == nil}
}

// SetRetentionDays makes anonymous projects live days after their last activity (0: forever),
// whatever the configuration says.
func (s *Service) SetRetentionDays(ctx context.Context, days int) error {
	if days < 0 || days > MaxRetentionDays {
		return simvid.Errorf(simvid.EUnprocessable, "days must be between 0 (never expire) and %d", MaxRetentionDays)
	}
	return s.store.PutSetting(ctx, store.SettingProjectTTL, (time.Duration(days) * 24 * time.Hour).String())
}

// ResetRetention drops the admin's retention setting, so the configured value applies again.
func (s *Service) ResetRetention(ctx context.Context) error {
	return s.store.DeleteSetting(ctx, store.SettingProjectTTL)
}

// ExpiredProject is an anonymous project retention would remove now.
type ExpiredProject struct {
	ID        string    `json:"id"`
	UpdatedAt time.Time `json:"updated_at"`
	Bytes     int64     `json:"bytes"` // on disk
}

// ExpiredProjects lists anonymous projects idle longer than ttl with no unfinished render
// (at most 1000 per call), with the bytes each takes on disk.
func (s *Service) ExpiredProjects(ctx context.Context, ttl time.Duration) ([]ExpiredProject, error) {
	old, err := store.ExpiredProjects(ctx, s.store, ttl, 1000)
	if err != nil {
		return nil, err
	}
	out := []ExpiredProject{}
	for _, p := range old {
		out = append(out, ExpiredProject{ID: p.ID, UpdatedAt: p.UpdatedAt, Bytes: s.ProjectBytes(p.ID)})
	}
	return out, nil
}
