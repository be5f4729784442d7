package admin

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/simvid"
)

// renderView is a render as operators see it: with the ffmpeg excerpt and the worker.
type renderView struct {
	*simvid.Render
	ErrorDetail string   `json:"error_detail,omitempty"`
	Worker      string   `json:"worker,omitempty"`
	Client      string   `json:"client,omitempty"`
	CancelAsked bool     `json:"cancel_asked"`
	QueuedS     *float64 `json:"queued_s,omitempty"` // waited before starting
	RenderS     *float64 `json:"render_s,omitempty"` // from start to finish
}

func viewRender(r *simvid.Render) renderView {
	v := renderView{Render: r, ErrorDetail: r.ErrorDetail, Worker: r.Worker, Client: r.Client, CancelAsked: r.CancelAsked}
	if r.StartedAt != nil {
		q := r.StartedAt.Sub(r.CreatedAt).Seconds()
		v.QueuedS = &q
		if r.FinishedAt != nil {
			d := r.FinishedAt.Sub(*r.StartedAt).Seconds()
			v.RenderS = &d
		}
	}
	return v
}

// listRenders filters by state (comma-separated), project, and a creation window
// (since/until, RFC 3339 or YYYY-MM-DD).
func (a *Admin) listRenders(c echo.Context) error {
	q := simvid.RenderQuery{RenderFilter: simvid.RenderFilter{Limit: queryInt(c, "limit", 100, 1000)}}
	if st := c.QueryParam("state"); st != "" {
		for _, name := range strings.Split(st, ",") {
			state, ok := simvid.ParseRenderState(name)
			if !ok {
				return simvid.Errorf(simvid.EInvalid, "state %q is not a render state", name)
			}
			q.States = append(q.States, state)
		}
	}
	if p := c.QueryParam("project"); p != "" {
		if !simvid.ValidID(simvid.PrefixProject, p) {
			return simvid.Errorf(simvid.EInvalid, "project %q is not a project id", p)
		}
		q.ProjectID = p
	}
	var err error
	if q.Since, err = parseWhen("since", c.QueryParam("since")); err != nil {
		return err
	}
	if q.Until, err = parseWhen("until", c.QueryParam("until")); err != nil {
		return err
	}
	rs, err := a.Service.SearchRenders(c.Request().Context(), q)
	if err != nil {
		return err
	}
	out := make([]renderView, len(rs))
	for i, r := range rs {
		out[i] = viewRender(r)
	}
	return c.JSON(http.StatusOK, map[string]any{"renders": out})
}

func parseWhen(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, simvid.Errorf(simvid.EInvalid, "%s must be a date like 2024-05-01 or 2024-05-01T10:00:00Z (got %q)", field, s)
}

func (a *Admin) getRender(c echo.Context) error {
	r, err := a.Service.GetRender(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewRender(r))
}

// retryRender runs a finished render's frozen spec again as a new render, so the history
// of the old one stays as it was.
func (a *Admin) retryRender(c echo.Context) error {
	ctx := c.Request().Context()
	old, err := a.Service.GetRender(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	r, err := a.Service.RetryRender(ctx, old.ID)
	if err != nil {
		return err
	}
	a.audit(c, "", "render.retry", old.ID, "new render "+r.ID)
	return c.JSON(http.StatusCreated, viewRender(r))
}

func (a *Admin) cancelRender(c echo.Context) error {
	r, err := a.Service.CancelRender(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	a.audit(c, "", "render.cancel", r.ID, "")
	return c.JSON(http.StatusOK, viewRender(r))
}

// requeueRender puts a failed render back to queued, for a retried dead job.
func (a *Admin) requeueRender(ctx context.Context, id string) {
	if _, err := a.Service.RequeueRender(ctx, id); err != nil && !simvid.IsCode(err, simvid.EConflict) {
		a.Log.Warn("admin: requeue render", zap.String("render_id", id), zap.Error(err))
	}
}
