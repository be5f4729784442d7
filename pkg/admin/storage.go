package admin

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/simvid"
)

// storage reports disk use: by kind from the database, by folder from the disk, free space.
func (a *Admin) storage(c echo.Context) error {
	st, err := a.Service.Storage(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{
		"by_kind":       st.ByKind,
		"projects_disk": st.ProjectsDisk,
		"cache_bytes":   st.CacheBytes,
		"tmp_bytes":     st.TmpBytes,
		"free_bytes":    st.FreeBytes,
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
	r := a.Service.Retention(ctx)
	return retentionView{ProjectTTL: r.TTL.String(), Days: int(r.TTL / (24 * time.Hour)), Default: r.Default.String(),
		Overridden: r.Overridden, KeepsRunning: true}
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
		if err := a.Service.ResetRetention(ctx); err != nil {
			return err
		}
	case in.Days == nil:
		return simvid.Errorf(simvid.EUnprocessable, "days must be between 0 (never expire) and %d", service.MaxRetentionDays)
	default:
		if err := a.Service.SetRetentionDays(ctx, *in.Days); err != nil {
			return err
		}
	}
	v := a.retentionView(ctx)
	a.audit(c, "", "retention.set", "", "project_ttl "+v.ProjectTTL)
	return c.JSON(http.StatusOK, v)
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
	ttl := a.Service.Retention(ctx).TTL
	res := map[string]any{"dry_run": in.DryRun, "project_ttl": ttl.String(), "projects": []service.ExpiredProject{}, "freed_bytes": 0}
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
	list, err := a.Service.ExpiredProjects(ctx, ttl)
	if err != nil {
		return err
	}
	var freed int64
	removed := []service.ExpiredProject{}
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
