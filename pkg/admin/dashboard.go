package admin

import (
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/simvid"
)

// bucket counts the renders that ended in one hour or day.
type bucket struct {
	Start    time.Time `json:"start"`
	Done     int       `json:"done"`
	Failed   int       `json:"failed"`
	Canceled int       `json:"canceled"`
}

type dashboardView struct {
	Projects    int                         `json:"projects"`
	Usage       map[string]simvid.KindUsage `json:"usage"` // image, audio, render: count and bytes
	Unfinished  int                         `json:"unfinished"`
	Hourly      []bucket                    `json:"hourly"` // the last 48 hours
	Daily       []bucket                    `json:"daily"`  // the last 30 days
	MedianS     float64                     `json:"median_render_s"`
	P95S        float64                     `json:"p95_render_s"`
	Realtime    float64                     `json:"realtime_factor"` // median seconds of video per second of rendering
	FailureRate float64                     `json:"failure_rate"`    // failed / (done + failed), last 30 days
}

// dashboard sums up the last 30 days of renders and what is stored.
func (a *Admin) dashboard(c echo.Context) error {
	ctx := c.Request().Context()
	now := time.Now().UTC()
	v := dashboardView{}
	var err error
	if v.Projects, err = a.Service.CountProjects(ctx); err != nil {
		return err
	}
	if v.Usage, err = a.Service.StoredUsage(ctx); err != nil {
		return err
	}
	if v.Unfinished, err = a.Service.CountUnfinishedRenders(ctx); err != nil {
		return err
	}
	rs, err := a.Service.SearchRenders(ctx, simvid.RenderQuery{Since: now.AddDate(0, 0, -31), RenderFilter: simvid.RenderFilter{Limit: 100_000}})
	if err != nil {
		return err
	}
	hourStart := now.Truncate(time.Hour).Add(-47 * time.Hour)
	dayStart := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -29)
	v.Hourly, v.Daily = make([]bucket, 48), make([]bucket, 30)
	for i := range v.Hourly {
		v.Hourly[i].Start = hourStart.Add(time.Duration(i) * time.Hour)
	}
	for i := range v.Daily {
		v.Daily[i].Start = dayStart.AddDate(0, 0, i)
	}
	var took, rt []float64
	done, failed := 0, 0
	for _, r := range rs {
		if !r.State.Finished() {
			continue
		}
		end := r.UpdatedAt
		if r.FinishedAt != nil {
			end = *r.FinishedAt
		}
		if h := int(end.Sub(hourStart) / time.Hour); end.After(hourStart) && h < 48 {
			count(&v.Hourly[h], r.State)
		}
		if d := int(end.Sub(dayStart) / (24 * time.Hour)); !end.Before(dayStart) && d < 30 {
			count(&v.Daily[d], r.State)
		}
		switch r.State {
		case simvid.StateDone:
			done++
			if r.StartedAt != nil && r.FinishedAt != nil {
				s := r.FinishedAt.Sub(*r.StartedAt).Seconds()
				took = append(took, s)
				if s > 0 {
					rt = append(rt, r.Duration/s)
				}
			}
		case simvid.StateFailed:
			failed++
		}
	}
	v.MedianS, v.P95S, v.Realtime = quantile(took, 0.5), quantile(took, 0.95), quantile(rt, 0.5)
	if done+failed > 0 {
		v.FailureRate = float64(failed) / float64(done+failed)
	}
	return c.JSON(http.StatusOK, v)
}

func count(b *bucket, state simvid.RenderState) {
	switch state {
	case simvid.StateDone:
		b.Done++
	case simvid.StateFailed:
		b.Failed++
	case simvid.StateCanceled:
		b.Canceled++
	}
}

// quantile is the nearest-rank quantile q of xs; 0 for none.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}
