package admin

import (
	"context"
	"net/http"
	"path/filepath"
	"time"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

// storage reports disk use: by kind from the database, by folder from the disk, free space.
func (a *Admin) storage(c echo.Context) error {
	usage, err := a.store.Usage(c.Request().Context())
	if err != nil {
		return err
	}
	m := a.Service.Files()
	free, _ := m.Free()
	return c.JSON(http.StatusOK, map[string]any{
		"by_kind":       usage,
		"projects_disk": dirSize(filepath.Join(m.Root(), "projects")),
		"cache_bytes":   dirSize(m.CacheDir()),
		"tmp_bytes":     dirSize(m.TmpDir()),
		"free_bytes":    free,
	})
}

type retentionView struct {
	ProjectTTL   string `json:"project_ttl"`   // in effect, a Go duration; "0s" = never
	Days         int    `json:"days"`          // the same in whole days, 0 = never
	Default      string `json:"default"`       // the configured value
	Overridden   bool   `json:"overridden"`    // the admin's setting is in effect
	KeepsRunning bool   `json:"keeps_running"` // always true: unfinished renders keep a project
}

func (a *Admin) retentionView(ctx context.Context) retentionView {
	ttl := store.ProjectTTL(ctx, a.store, a.ProjectTTL)
	_, err := a.store.GetSetting(ctx, store.SettingProjectTTL)
	return retentionView{ProjectTTL: ttl.String(), Days: int(ttl / (24 * time.Hour)), Default: a.ProjectTTL.String(),
		Overridden: err == nil, KeepsRunning: true}
}

func (a *Admin) getRetention(c echo.Context) error {
	return c.JSON(http.StatusOK, a.retentionView(c.Request().Context()))
}

// putRetention sets how many days anonymous projects live after their last activity:
// {"days": 30}, {"days": 0} (never expire), or {"default": true} (the configured value).
func (a *Admin) putRetention(c echo.Context) error {
	var in struct {
		Days    *int `json:"days"`
		Default bool `json:"default"`
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	switch {
	case in.Default:
		if err := a.store.DeleteSetting(ctx, store.SettingProjectTTL); err != nil {
			return err
		}
	case in.Days == nil || *in.Days < 0 || *in.Days > 3650:
		return simvid.Errorf(simvid.EUnprocessable, "days must be between 0 (never expire) and 3650")
	default:
		ttl := time.Duration(*in.Days) * 24 * time.Hour
		if err := a.store.PutSetting(ctx, store.SettingProjectTTL, ttl.String()); err != nil {
			return err
		}
	}
	v := a.retentionView(ctx)
	a.audit(c, "", "retention.set", "", "project_ttl "+v.ProjectTTL)
	return c.JSON(http.StatusOK, v)
}

type expired struct {
	ID        string    `json:"id"`
	UpdatedAt time.Time `json:"updated_at"`
	Bytes     int64     `json:"bytes"`
}

// cleanup removes the anonymous projects retention would remove now. {"dry_run": true}
// lists them without touching anything. One cleanup runs at a time (a Redis lock); the
// workers' periodic run may overlap it harmlessly, since deleting is idempotent. It never
// removes a project with an unfinished render.
func (a *Admin) cleanup(c echo.Context) error {
	in := struct {
		DryRun bool `json:"dry_run"`
	}{}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	ttl := store.ProjectTTL(ctx, a.store, a.ProjectTTL)
	res := map[string]any{"dry_run": in.DryRun, "project_ttl": ttl.String(), "projects": []expired{}, "freed_bytes": 0}
	if ttl <= 0 {
		res["message"] = "retention is off: projects never expire"
		return c.JSON(http.StatusOK, res)
	}
	if !in.DryRun {
		unlock, ok, err := a.inspect.Lock(ctx, "admin-cleanup", 10*time.Minute)
		if err != nil {
			return simvid.Wrap(simvid.EUnavailable, err, "the queue (Redis) is not reachable")
		}
		if !ok {
			return simvid.Errorf(simvid.EConflict, "a cleanup is running right now; try again in a minute")
		}
		defer unlock()
	}
	list, err := a.expiredProjects(ctx, ttl)
	if err != nil {
		return err
	}
	var freed int64
	removed := []expired{}
	for _, e := range list {
		if in.DryRun {
			removed = append(removed, e)
			continue
		}
		n, err := a.Service.DeleteProject(ctx, e.ID)
		if err != nil {
			a.Log.Warn("admin cleanup: delete project", zap.String("project_id", e.ID), zap.Error(err))
			continue
		}
		e.Bytes, freed = n, freed+n
		removed = append(removed, e)
	}
	res["projects"], res["freed_bytes"] = removed, freed
	if !in.DryRun {
		a.audit(c, "", "cleanup", "", itoa(int64(len(removed)))+" projects removed, "+humanBytes(freed)+" freed")
	}
	return c.JSON(http.StatusOK, res)
}

// expiredProjects lists anonymous projects idle longer than ttl with no unfinished render.
func (a *Admin) expiredProjects(ctx context.Context, ttl time.Duration) ([]expired, error) {
	old, err := a.store.ListProjects(ctx, simvid.ProjectFilter{UpdatedBefore: time.Now().Add(-ttl), Limit: 1000})
	if err != nil {
		return nil, err
	}
	out := []expired{}
	for _, p := range old {
		if p.OwnerKey != "" {
			continue
		}
		n, err := a.store.CountRenders(ctx, simvid.RenderFilter{ProjectID: p.ID, States: simvid.UnfinishedStates()})
		if err != nil {
			return nil, err
		}
		if n > 0 {
			continue
		}
		dir, _ := a.Service.Files().ProjectDir(p.ID)
		out = append(out, expired{ID: p.ID, UpdatedAt: p.UpdatedAt, Bytes: dirSize(dir)})
	}
	return out, nil
}
