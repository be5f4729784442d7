package admin

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/simvid"
)

type projectRow struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	Owned     bool      `json:"owned"` // created with an API key: never expires
	Slides    int       `json:"slides"`
	Music     bool      `json:"music"`
	Poster    string    `json:"poster,omitempty"` // URL of the newest finished render's poster
}

func (a *Admin) projectRow(c echo.Context, ret service.Retention, p *simvid.Project) projectRow {
	row := projectRow{ID: p.ID, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Owned: p.OwnerKey != "",
		Slides: len(p.Spec.Slides), Music: len(p.Spec.Audio) > 0, ExpiresAt: ret.ExpiresAt(p)}
	done, err := a.Service.NewestDoneRender(c.Request().Context(), p.ID)
	if err == nil && done != nil {
		row.Poster = "/api/v1/renders/" + done.ID + "/poster"
	}
	return row
}

// listProjects lists the most recently active projects; q finds one by its id.
func (a *Admin) listProjects(c echo.Context) error {
	ctx := c.Request().Context()
	var ps []*simvid.Project
	if q := strings.TrimSpace(c.QueryParam("q")); q != "" {
		p, err := a.Service.GetProject(ctx, q)
		if err != nil && !simvid.IsCode(err, simvid.ENotFound) {
			return err
		}
		if p != nil {
			ps = append(ps, p)
		}
	} else {
		var err error
		if ps, err = a.Service.RecentProjects(ctx, queryInt(c, "limit", 50, 500)); err != nil {
			return err
		}
	}
	ret := a.Service.Retention(ctx)
	rows := make([]projectRow, len(ps))
	for i, p := range ps {
		rows[i] = a.projectRow(c, ret, p)
	}
	total, err := a.Service.CountProjects(ctx)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"projects": rows, "total": total})
}

type assetView struct {
	*simvid.Asset
	Preview string `json:"preview"` // URL of the thumbnail or the music's working copy
}

// getProject returns a project with its pictures, music, renders and bytes on disk.
func (a *Admin) getProject(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := a.Service.GetProject(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	assets, err := a.Service.ListAssets(ctx, p.ID)
	if err != nil {
		return err
	}
	av := make([]assetView, len(assets))
	for i, as := range assets {
		av[i] = assetView{Asset: as, Preview: "/admin/api/assets/" + as.ID + "/file"}
	}
	rs, err := a.Service.ListRenders(ctx, p.ID, 100)
	if err != nil {
		return err
	}
	rv := make([]renderView, len(rs))
	for i, r := range rs {
		rv[i] = viewRender(r)
	}
	return c.JSON(http.StatusOK, map[string]any{
		"project": a.projectRow(c, a.Service.Retention(ctx), p), "spec": p.Spec, "assets": av, "renders": rv,
		"bytes": a.Service.ProjectBytes(p.ID),
	})
}

// deleteProject removes every file and row of a project and says how much space it freed.
func (a *Admin) deleteProject(c echo.Context) error {
	id := c.Param("id")
	freed, err := a.Service.DeleteProject(c.Request().Context(), id)
	if err != nil {
		return err
	}
	a.audit(c, "", "project.delete", id, humanBytes(freed)+" freed")
	return c.JSON(http.StatusOK, map[string]any{"deleted": id, "freed_bytes": freed})
}

// assetFile serves a preview of an asset with Range support: a picture's thumbnail or the
// music's working copy. Originals are never served.
func (a *Admin) assetFile(c echo.Context) error {
	f, err := a.Service.AssetPreview(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	rc, err := f.Open()
	if err != nil {
		return simvid.Errorf(simvid.ENotFound, "the preview of %s is not there (yet)", c.Param("id"))
	}
	defer rc.Close()
	c.Response().Header().Set("Content-Type", f.ContentType)
	c.Response().Header().Set("Cache-Control", "private, max-age=300")
	http.ServeContent(c.Response(), c.Request(), "", f.ModTime, rc)
	return nil
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return itoa(n) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return strings.TrimSuffix(strings.TrimSuffix(ftoa(float64(n)/float64(div)), "0"), ".") + " " + string("KMGTPE"[exp]) + "iB"
}
