package service_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/service/servicetest"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

// adminTestService is a Service with retention configured to ttl; the admin's use cases
// need no queue.
func adminTestService(t *testing.T, ttl time.Duration) (*service.Service, store.Store, *media.Files) {
	t.Helper()
	e := servicetest.New(t, func(d *service.Deps) { d.ProjectTTL = ttl })
	return e.Service, e.Store, e.Files
}

// The admin's retention setting overrides the configured one, is refused out of range
// without a change, and can be dropped again; expiry follows the setting in effect.
func TestRetentionSetting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, _ := adminTestService(t, 720*time.Hour)
	updated := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	anon, owned := &simvid.Project{UpdatedAt: updated}, &simvid.Project{UpdatedAt: updated, OwnerKey: "key_x"}

	check := func(step string, want service.Retention, expires time.Time) {
		t.Helper()
		got := s.Retention(ctx)
		if got != want {
			t.Errorf("%s: %+v, want %+v", step, got, want)
		}
		if e := got.ExpiresAt(anon); !e.Equal(expires) {
			t.Errorf("%s: an anonymous project expires at %v, want %v", step, e, expires)
		}
		if e := s.ExpiresAt(ctx, anon); !e.Equal(expires) { // what the API tells the project's owner
			t.Errorf("%s: the service says an anonymous project expires at %v, want %v", step, e, expires)
		}
		if e := got.ExpiresAt(owned); !e.IsZero() {
			t.Errorf("%s: a project of an API key expires at %v", step, e)
		}
	}
	check("configured", service.Retention{TTL: 720 * time.Hour, Default: 720 * time.Hour}, updated.Add(720*time.Hour))
	if err := s.SetRetentionDays(ctx, 2); err != nil {
		t.Fatal(err)
	}
	check("2 days", service.Retention{TTL: 48 * time.Hour, Default: 720 * time.Hour, Overridden: true}, updated.Add(48*time.Hour))
	for _, days := range []int{-1, service.MaxRetentionDays + 1} {
		err := s.SetRetentionDays(ctx, days)
		if !simvid.IsCode(err, simvid.EUnprocessable) || simvid.ErrorMessage(err) != "days must be between 0 (never expire) and 3650" {
			t.Errorf("%d days: %v", days, err)
		}
	}
	check("after refused settings", service.Retention{TTL: 48 * time.Hour, Default: 720 * time.Hour, Overridden: true}, updated.Add(48*time.Hour))
	if err := s.SetRetentionDays(ctx, 0); err != nil {
		t.Fatal(err)
	}
	check("never", service.Retention{Default: 720 * time.Hour, Overridden: true}, time.Time{})
	if err := s.ResetRetention(ctx); err != nil {
		t.Fatal(err)
	}
	check("reset", service.Retention{TTL: 720 * time.Hour, Default: 720 * time.Hour}, updated.Add(720*time.Hour))
}

// ExpiredProjects lists idle anonymous projects with their bytes on disk, and never one with
// an owner, an unfinished render, or recent activity.
func TestExpiredProjects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, st, files := adminTestService(t, 0)
	old := time.Now().Add(-40 * 24 * time.Hour).UTC().Truncate(time.Second)
	mk := func(owner string, updated time.Time, bytes int) *simvid.Project {
		p := &simvid.Project{ID: simvid.NewID(simvid.PrefixProject), CreatedAt: updated, UpdatedAt: updated, OwnerKey: owner}
		if err := st.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		dir, _ := files.ProjectDir(p.ID)
		if err := os.MkdirAll(filepath.Join(dir, "originals"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "originals", "x"), make([]byte, bytes), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	idle, busy := mk("", old, 1000), mk("", old, 10)
	mk("key_1", old, 10)
	mk("", time.Now().UTC(), 10)
	if err := st.CreateRender(ctx, simvid.NewRender(busy.ID, simvid.Spec{}, old)); err != nil {
		t.Fatal(err)
	}
	got, err := s.ExpiredProjects(ctx, 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != idle.ID || got[0].Bytes != 1000 || !got[0].UpdatedAt.Equal(old) {
		t.Errorf("expired: %+v, want only %s (1000 bytes, updated %v)", got, idle.ID, old)
	}
	if n := s.ProjectBytes(busy.ID); n != 10 {
		t.Errorf("ProjectBytes: %d, want 10", n)
	}
	if n := s.ProjectBytes("not-a-project"); n != 0 {
		t.Errorf("ProjectBytes of a bad id: %d", n)
	}
}
