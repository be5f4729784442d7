package admin

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gocraft/work"
	"github.com/gomodule/redigo/redis"
	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/jobs"
	"github.com/simvid/simvid/pkg/simvid"
)

// queues reads and steers the gocraft/work queues through the library's own Client: it
// knows the key layout, so the admin never writes those keys itself.
type queues struct {
	clients map[string]*work.Client
}

func newQueues(pool *redis.Pool) *queues {
	q := &queues{clients: map[string]*work.Client{}}
	for _, name := range jobs.Queues {
		q.clients[name] = work.NewClient(jobs.Namespace(name), pool)
	}
	return q
}

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

func viewJob(at int64, j *work.Job) jobView {
	return jobView{ID: j.ID, Name: j.Name, At: at, Fails: j.Fails, Error: truncate(j.LastErr, 2000), Args: j.Args, Queued: j.EnqueuedAt}
}

func (a *Admin) listQueues(c echo.Context) error {
	ctx := c.Request().Context()
	out := []queueView{}
	for _, name := range jobs.Queues {
		cl := a.queues.clients[name]
		v := queueView{Name: name, Pools: []poolView{}, Busy: []busyView{}}
		qs, err := cl.Queues()
		if err != nil {
			return simvid.Wrap(simvid.EUnavailable, err, "the queue (Redis) is not reachable")
		}
		for _, q := range qs {
			v.Depth += q.Count
			v.LatencyS = max(v.LatencyS, q.Latency)
		}
		hbs, err := cl.WorkerPoolHeartbeats()
		if err != nil {
			return err
		}
		for _, h := range hbs {
			v.Pools = append(v.Pools, poolView{ID: h.WorkerPoolID, Host: h.Host, PID: h.Pid, Jobs: h.JobNames,
				Concurrency: h.Concurrency, StartedAt: time.Unix(h.StartedAt, 0).UTC(), HeartbeatAt: time.Unix(h.HeartbeatAt, 0).UTC()})
		}
		obs, err := cl.WorkerObservations()
		if err != nil {
			return err
		}
		for _, o := range obs {
			if !o.IsBusy {
				continue
			}
			b := busyView{Worker: o.WorkerID, Job: o.JobName, JobID: o.JobID, Args: o.ArgsJSON, StartedAt: time.Unix(o.StartedAt, 0).UTC()}
			var args map[string]any
			if json.Unmarshal([]byte(o.ArgsJSON), &args) == nil {
				if id, ok := args["render_id"].(string); ok && simvid.ValidID(simvid.PrefixRender, id) {
					b.RenderID = id
					if r, err := a.store.GetRender(ctx, id); err == nil {
						b.Progress, b.Message = r.Progress, r.Message
					}
				}
			}
			v.Busy = append(v.Busy, b)
		}
		retry, n, err := cl.RetryJobs(1)
		if err != nil {
			return err
		}
		v.RetryN = n
		for _, j := range retry {
			v.Retry = append(v.Retry, viewJob(j.RetryAt, j.Job))
		}
		sched, n, err := cl.ScheduledJobs(1)
		if err != nil {
			return err
		}
		v.SchedN = n
		for _, j := range sched {
			v.Scheduled = append(v.Scheduled, viewJob(j.RunAt, j.Job))
		}
		dead, n, err := cl.DeadJobs(1)
		if err != nil {
			return err
		}
		v.DeadN = n
		for _, j := range dead {
			v.Dead = append(v.Dead, viewJob(j.DiedAt, j.Job))
		}
		out = append(out, v)
	}
	return c.JSON(http.StatusOK, map[string]any{"queues": out})
}
