package admin

import (
	"context"
	"net/http"
	"slices"

	"github.com/gocraft/work"
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

func (a *Admin) jobTarget(c echo.Context) (*work.Client, string, jobRef, error) {
	var ref jobRef
	cl := a.queues.clients[c.Param("queue")]
	set := c.Param("set")
	if cl == nil {
		return nil, "", ref, simvid.Errorf(simvid.ENotFound, "no queue %q (queues: video, audio)", c.Param("queue"))
	}
	if !slices.Contains([]string{"dead", "retry", "scheduled"}, set) {
		return nil, "", ref, simvid.Errorf(simvid.ENotFound, "no job set %q (dead, retry, scheduled)", set)
	}
	if err := readJSON(c, &ref); err != nil {
		return nil, "", ref, err
	}
	if !ref.All && ref.ID == "" {
		return nil, "", ref, simvid.Errorf(simvid.EInvalid, "name a job ({\"at\": ..., \"id\": ...}) or {\"all\": true}")
	}
	return cl, set, ref, nil
}

// retryJobs moves dead jobs back to their queue, one or all.
func (a *Admin) retryJobs(c echo.Context) error {
	cl, set, ref, err := a.jobTarget(c)
	if err != nil {
		return err
	}
	if set != "dead" {
		return simvid.Errorf(simvid.EInvalid, "only dead jobs can be retried; retry and scheduled jobs run on their own")
	}
	// A render whose job died was marked failed; it goes back to queued so that the job,
	// which reads the record, renders it again.
	renders, err := deadRenders(cl, ref)
	if err != nil {
		return err
	}
	if err := a.knowJobs(c.Request().Context(), c.Param("queue")); err != nil {
		return err
	}
	if ref.All {
		err = cl.RetryAllDeadJobs()
	} else {
		err = cl.RetryDeadJob(ref.At, ref.ID)
	}
	if err != nil {
		return jobErr(err)
	}
	for _, id := range renders {
		a.requeueRender(c.Request().Context(), id)
	}
	a.audit(c, "", "job.retry", c.Param("queue")+":"+set+":"+idOrAll(ref), "")
	return c.JSON(http.StatusOK, map[string]bool{"ok": true})
}

func (a *Admin) deleteJobs(c echo.Context) error {
	cl, set, ref, err := a.jobTarget(c)
	if err != nil {
		return err
	}
	switch {
	case set == "dead" && ref.All:
		err = cl.DeleteAllDeadJobs()
	case set == "dead":
		err = cl.DeleteDeadJob(ref.At, ref.ID)
	case ref.All:
		return simvid.Errorf(simvid.EInvalid, "only the dead set can be emptied at once")
	case set == "retry":
		err = cl.DeleteRetryJob(ref.At, ref.ID)
	default:
		err = cl.DeleteScheduledJob(ref.At, ref.ID)
	}
	if err != nil {
		return jobErr(err)
	}
	a.audit(c, "", "job.delete", c.Param("queue")+":"+set+":"+idOrAll(ref), "")
	return c.JSON(http.StatusOK, map[string]bool{"ok": true})
}

// knowJobs registers the queue's job names the way a worker pool does. gocraft/work requeues
// a dead job only under a name some pool has registered; with no worker started since Redis
// was (re)created, it would put the job back into the dead set as "unknown job".
func (a *Admin) knowJobs(ctx context.Context, queue string) error {
	conn, err := a.Pool.GetContext(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, name := range jobs.JobsOf[queue] {
		if _, err := conn.Do("SADD", jobs.Namespace(queue)+":known_jobs", name); err != nil {
			return err
		}
	}
	return nil
}

// deadRenders returns the render ids of the dead jobs ref names.
func deadRenders(cl *work.Client, ref jobRef) ([]string, error) {
	var ids []string
	for page := uint(1); page <= 100; page++ {
		dead, _, err := cl.DeadJobs(page)
		if err != nil {
			return nil, err
		}
		if len(dead) == 0 {
			break
		}
		for _, j := range dead {
			if (ref.All || (j.ID == ref.ID && j.DiedAt == ref.At)) && j.Name == jobs.JobRender {
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
	if err == work.ErrNotDeleted || err == work.ErrNotRetried {
		return simvid.Errorf(simvid.ENotFound, "that job is not there any more")
	}
	return err
}
