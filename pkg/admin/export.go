package admin

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/simvid"
)

const exportMax = 100_000

// export downloads projects or renders as JSON or CSV (?format=csv).
func (a *Admin) export(c echo.Context) error {
	ctx := c.Request().Context()
	what, format := c.Param("what"), c.QueryParam("format")
	if format == "" {
		format = "json"
	}
	if format != "json" && format != "csv" {
		return simvid.Errorf(simvid.EInvalid, "format must be json or csv (got %q)", format)
	}
	var header []string
	var rows [][]string
	var data any
	switch what {
	case "projects":
		ps, err := a.Service.RecentProjects(ctx, exportMax)
		if err != nil {
			return err
		}
		data = ps
		header = []string{"id", "created_at", "updated_at", "owned", "slides", "music"}
		for _, p := range ps {
			rows = append(rows, []string{p.ID, ts(p.CreatedAt), ts(p.UpdatedAt), strconv.FormatBool(p.OwnerKey != ""),
				strconv.Itoa(len(p.Spec.Slides)), strconv.FormatBool(len(p.Spec.Audio) > 0)})
		}
	case "renders":
		rs, err := a.Service.RecentRenders(ctx, exportMax)
		if err != nil {
			return err
		}
		views := make([]renderView, len(rs))
		header = []string{"id", "project_id", "state", "created_at", "started_at", "finished_at", "duration_s",
			"output_bytes", "attempts", "worker", "error"}
		for i, r := range rs {
			views[i] = viewRender(r)
			rows = append(rows, []string{r.ID, r.ProjectID, string(r.State), ts(r.CreatedAt), tsp(r.StartedAt), tsp(r.FinishedAt),
				strconv.FormatFloat(r.Duration, 'f', 3, 64), itoa(r.OutputSize), strconv.Itoa(r.Attempts), r.Worker, csvSafe(r.Error)})
		}
		data = views
	default:
		return simvid.Errorf(simvid.ENotFound, "nothing to export as %q (projects, renders)", what)
	}
	name := "simvid-" + what + "-" + time.Now().UTC().Format("20060102-150405") + "." + format
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	a.audit(c, "", "export", what, format)
	if format == "json" {
		return c.JSON(http.StatusOK, data)
	}
	c.Response().Header().Set("Content-Type", "text/csv; charset=utf-8")
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write(header)
	_ = w.WriteAll(rows)
	return nil
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func tsp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return ts(*t)
}

// csvSafe keeps a spreadsheet from reading user text as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}
