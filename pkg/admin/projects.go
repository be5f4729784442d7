package admin

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
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

func (a *Admin) projectRow(c echo.Context, p *simvid.Project) projectRow {
	row := projectRow{ID: p.ID, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Owned: p.OwnerKey != "",
		Slides: len(p.Spec.Slides), Music: len(p.Spec.Audio) > 0, ExpiresAt: a.expiresAt(c, p)}
	done, err := a.store.ListRenders(c.Request().Context(), simvid.RenderFilter{ProjectID: p.ID, States: []simvid.RenderState{simvid.StateDone}, Limit: 1})
	if err == nil && len(done) == 1 {
		row.Poster = "/api/v1/renders/" + done[0].ID + "/poster"
	}
	return row
}

func (a *Admin) expiresAt(c echo.Context, p *simvid.Project) time.Time {
	ttl := store.ProjectTTL(c.Request().Context(), a.store, a.ProjectTTL)
	if ttl <= 0 || p.OwnerKey != "" {
		return time.Time{}
	}
	return p.UpdatedAt.Add(ttl)
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
		if ps, err = a.store.ListProjects(ctx, simvid.ProjectFilter{Limit: queryInt(c, "limit", 50, 500)}); err != nil {
			return err
		}
	}
	rows := make([]projectRow, len(ps))
	for i, p := range ps {
		rows[i] = a.projectRow(c, p)
	}
	total, err := a.store.CountProjects(ctx)
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
	assets, err := a.store.ListAssets(ctx, p.ID, "")
	if err != nil {
		return err
	}
	av := make([]assetView, len(assets))
	for i, as := range assets {
		av[i] = assetView{Asset: as, Preview: "/admin/api/assets/" + as.ID + "/file"}
	}
	rs, err := a.store.ListRenders(ctx, simvid.RenderFilter{ProjectID: p.ID, Limit: 100})
	if err != nil {
		return err
	}
	rv := make([]renderView, len(rs))
	for i, r := range rs {
		rv[i] = viewRender(r)
	}
	dir, _ := a.Service.Files().ProjectDir(p.ID)
	return c.JSON(http.StatusOK, map[string]any{
		"project": a.projectRow(c, p), "spec": p.Spec, "assets": av, "renders": rv, "bytes": dirSize(dir),
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
	id := c.Param("id")
	if !simvid.ValidID(simvid.PrefixImage, id) && !simvid.ValidID(simvid.PrefixAudio, id) {
		return simvid.Errorf(simvid.ENotFound, "asset not found")
	}
	as, err := a.store.GetAsset(c.Request().Context(), id)
	if err != nil {
		return err
	}
	path, ctype := "", "image/jpeg"
	if as.Kind == simvid.KindAudio {
		path, err = a.Service.Files().AudioWork(as.ProjectID, as.ID)
		ctype = "audio/flac"
	} else {
		path, err = a.Service.Files().Thumbnail(as.ProjectID, as.ID)
	}
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return simvid.Errorf(simvid.ENotFound, "the preview of %s is not there (yet)", as.ID)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Type", ctype)
	c.Response().Header().Set("Cache-Control", "private, max-age=300")
	http.ServeContent(c.Response(), c.Request(), "", st.ModTime(), f)
	return nil
}

// dirSize is the bytes of every file under dir; 0 when it does not exist.
func dirSize(dir string) int64 {
	var n int64
	if dir == "" {
		return 0
	}
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
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
