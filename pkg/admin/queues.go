package admin

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/jobs"
	"github.com/simvid/simvid/pkg/simvid"
)

type queueView struct {
	Name      string            `json:"name"`
	Depth     int64             `json:"depth"`
	LatencyS  int64             `json:"latency_s"` // age of the oldest waiting job
	Pools     []poolView        `json:"pools"`
	Busy      []busyView        `json:"busy"`
	Retry     []jobView         `json:"retry"`
	RetryN    int64             `json:"retry_count"`
	Scheduled []jobView         `json:"scheduled"`
	SchedN    int64             `json:"scheduled_count"`
	Dead      []jobView         `json:"dead"`
	DeadN     int64             `json:"dead_count"`
	Renders   map[string]string `json:"-"`
}

type poolView struct {
	ID          string    `json:"id"`
	Host        string    `json:"host"`
	PID         int       `json:"pid"`
	Jobs        []string  `json:"jobs"`
	Concurrency uint      `json:"concurrency"`
	StartedAt   time.Time `json:"started_at"`
	HeartbeatAt time.Time `json:"heartbeat_at"`
}

type busyView struct {
	Worker    string    `json:"worker"`
	Job       string    `json:"job"`
	JobID     string    `json:"job_id"`
	Args      string    `json:"args"`
	StartedAt time.Time `json:"started_at"`
	RenderID  string    `json:"render_id,omitempty"`
	Progress  float64   `json:"progress"`
	Message   string    `json:"message,omitempty"`
}

type jobView struct {
	ID     string         `json:"id"`
	Name   string         `json:"name"`
	At     int64          `json:"at"` // the score: retry_at, run_at or died_at (unix seconds)
	Fails  int64          `json:"fails"`
	Error  string         `json:"error"`
	Args   map[string]any `json:"args"`
	Queued int64          `json:"enqueued_at"`
}

func viewJobs(js []jobs.JobInfo) []jobView {
	var out []jobView
	for _, j := range js {
		out = append(out, jobView{ID: j.ID, Name: j.Name, At: j.At, Fails: j.Fails, Error: truncate(j.Error, 2000), Args: j.Args, Queued: j.EnqueuedAt})
	}
	return out
}

func (a *Admin) listQueues(c echo.Context) error {
	ctx := c.Request().Context()
	out := []queueView{}
	for _, name := range jobs.Queues {
		v := queueView{Name: name, Pools: []poolView{}, Busy: []busyView{}}
		q, err := a.inspect.Queue(name)
		if err != nil {
			return simvid.Wrap(simvid.EUnavailable, err, "the queue (Redis) is not reachable")
		}
		v.Depth, v.LatencyS = q.Size, int64(q.Latency/time.Second)
		pools, err := a.inspect.WorkerPools(name)
		if err != nil {
			return err
		}
		for _, p := range pools {
			v.Pools = append(v.Pools, poolView{ID: p.ID, Host: p.Host, PID: p.PID, Jobs: p.Jobs,
				Concurrency: p.Concurrency, StartedAt: p.StartedAt, HeartbeatAt: p.HeartbeatAt})
		}
		active, err := a.inspect.Active(name)
		if err != nil {
			return err
		}
		for _, j := range active {
			b := busyView{Worker: j.Worker, Job: j.Name, JobID: j.ID, Args: j.Args, StartedAt: j.StartedAt}
			var args map[string]any
			if json.Unmarshal([]byte(j.Args), &args) == nil {
				if id, ok := args["render_id"].(string); ok && simvid.ValidID(simvid.PrefixRender, id) {
					b.RenderID = id
					if r, err := a.Service.GetRender(ctx, id); err == nil {
						b.Progress, b.Message = r.Progress, r.Message
					}
				}
			}
			v.Busy = append(v.Busy, b)
		}
		var js []jobs.JobInfo
		if js, v.RetryN, err = a.inspect.Jobs(name, jobs.SetRetry, 1); err != nil {
			return err
		}
		v.Retry = viewJobs(js)
		if js, v.SchedN, err = a.inspect.Jobs(name, jobs.SetScheduled, 1); err != nil {
			return err
		}
		v.Scheduled = viewJobs(js)
		if js, v.DeadN, err = a.inspect.Jobs(name, jobs.SetDead, 1); err != nil {
			return err
		}
		v.Dead = viewJobs(js)
		out = append(out, v)
	}
	return c.JSON(http.StatusOK, map[string]any{"queues": out})
}
