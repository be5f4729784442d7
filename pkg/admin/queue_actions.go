package admin

import (
	"errors"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/jobs"
	"github.com/simvid/simvid/pkg/simvid"
)

// jobRef names one job of a set: its score and id; All selects every job of the set.
type jobRef struct {
	At  int64  `json:"at"`
	ID  string `json:"id"`
	All bool   `json:"all"`
}

// jobTarget reads the queue, the set and the job a retry or delete names.
func (a *Admin) jobTarget(c echo.Context) (string, jobs.Set, jobRef, error) {
	var ref jobRef
	queue, set := c.Param("queue"), jobs.Set(c.Param("set"))
	if !slices.Contains(jobs.Queues, queue) {
		return "", "", ref, simvid.Errorf(simvid.ENotFound, "no queue %q (queues: video, audio)", queue)
	}
	if !slices.Contains(jobs.Sets, set) {
		return "", "", ref, simvid.Errorf(simvid.ENotFound, "no job set %q (dead, retry, scheduled)", set)
	}
	if err := readJSON(c, &ref); err != nil {
		return "", "", ref, err
	}
	if !ref.All && ref.ID == "" {
		return "", "", ref, simvid.Errorf(simvid.EInvalid, "name a job ({\"at\": ..., \"id\": ...}) or {\"all\": true}")
	}
	return queue, set, ref, nil
}

// retryJobs moves dead jobs back to their queue, one or all.
func (a *Admin) retryJobs(c echo.Context) error {
	queue, set, ref, err := a.jobTarget(c)
	if err != nil {
		return err
	}
	if set != jobs.SetDead {
		return simvid.Errorf(simvid.EInvalid, "only dead jobs can be retried; retry and scheduled jobs run on their own")
	}
	// A render whose job died was marked failed; it goes back to queued so that the job,
	// which reads the record, renders it again.
	renders, err := a.deadRenders(queue, ref)
	if err != nil {
		return err
	}
	if ref.All {
		err = a.inspect.RetryAllDead(c.Request().Context(), queue)
	} else {
		err = a.inspect.RetryDead(c.Request().Context(), queue, ref.At, ref.ID)
	}
	if err != nil {
		return jobErr(err)
	}
	for _, id := range renders {
		a.requeueRender(c.Request().Context(), id)
	}
	a.audit(c, "", "job.retry", queue+":"+string(set)+":"+idOrAll(ref), "")
	return c.JSON(http.StatusOK, map[string]bool{"ok": true})
}

func (a *Admin) deleteJobs(c echo.Context) error {
	queue, set, ref, err := a.jobTarget(c)
	if err != nil {
		return err
	}
	switch {
	case set == jobs.SetDead && ref.All:
		err = a.inspect.DeleteAllDead(queue)
	case ref.All:
		return simvid.Errorf(simvid.EInvalid, "only the dead set can be emptied at once")
	default:
		err = a.inspect.Delete(queue, set, ref.At, ref.ID)
	}
	if err != nil {
		return jobErr(err)
	}
	a.audit(c, "", "job.delete", queue+":"+string(set)+":"+idOrAll(ref), "")
	return c.JSON(http.StatusOK, map[string]bool{"ok": true})
}

// deadRenders returns the render ids of the dead jobs ref names.
func (a *Admin) deadRenders(queue string, ref jobRef) ([]string, error) {
	var ids []string
	for page := uint(1); page <= 100; page++ {
		dead, _, err := a.inspect.Jobs(queue, jobs.SetDead, page)
		if err != nil {
			return nil, err
		}
		if len(dead) == 0 {
			break
		}
		for _, j := range dead {
			if (ref.All || (j.ID == ref.ID && j.At == ref.At)) && j.Name == jobs.JobRender {
				if id, ok := j.Args["render_id"].(string); ok && simvid.ValidID(simvid.PrefixRender, id) {
					ids = append(ids, id)
				}
			}
		}
	}
	return ids, nil
}

func idOrAll(r jobRef) string {
	if r.All {
		return "all"
	}
	return r.ID
}

func jobErr(err error) error {
	if errors.Is(err, jobs.ErrJobGone) {
		return simvid.Errorf(simvid.ENotFound, "that job is not there any more")
	}
	return err
}
