package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gocraft/work"
	"github.com/gomodule/redigo/redis"
)

// Inspector reads and steers the queues for operators, as asynq's Inspector does: what
// waits, who works on what, the retry, scheduled and dead sets, and locks. It answers in
// this package's own types, so the admin needs neither gocraft/work nor its key layout.
type Inspector struct {
	pool    *redis.Pool
	clients map[string]*work.Client
}

// NewInspector returns an Inspector of every queue in Queues, each in its Namespace.
func NewInspector(pool *redis.Pool) *Inspector {
	in := &Inspector{pool: pool, clients: map[string]*work.Client{}}
	for _, q := range Queues {
		in.clients[q] = work.NewClient(Namespace(q), pool)
	}
	return in
}

// Set names one of a queue's sets of jobs that are not waiting to run.
type Set string

const (
	SetRetry     Set = "retry"     // failed, run again at At
	SetScheduled Set = "scheduled" // enqueued to run at At
	SetDead      Set = "dead"      // failed its last attempt at At
)

// Sets lists every Set.
var Sets = []Set{SetDead, SetRetry, SetScheduled}

var (
	// ErrUnknownQueue is returned for a queue name that is not in Queues.
	ErrUnknownQueue = errors.New("jobs: no such queue")
	// ErrJobGone is returned when the job to retry or delete is no longer in its set.
	ErrJobGone = errors.New("jobs: the job is not there any more")
)

// QueueInfo is what waits in a queue.
type QueueInfo struct {
	Size    int64         // waiting jobs, every job name
	Latency time.Duration // age of the oldest waiting job (whole seconds)
}

// WorkerPool is one running worker pool of a queue, as its last heartbeat said.
type WorkerPool struct {
	ID          string
	Host        string
	PID         int
	Jobs        []string // job names it runs
	Concurrency uint
	StartedAt   time.Time
	HeartbeatAt time.Time
}

// ActiveJob is a job a worker is running now.
type ActiveJob struct {
	Worker    string
	Name      string
	ID        string
	Args      string // the payload as JSON
	StartedAt time.Time
}

// JobInfo is a job of a Set. At (unix seconds) and ID together name it for Retry and Delete.
type JobInfo struct {
	ID         string
	Name       string
	At         int64 // the score: retry at, run at or died at
	Fails      int64
	Error      string // the last error
	Args       map[string]any
	EnqueuedAt int64
}

func (in *Inspector) client(queue string) (*work.Client, error) {
	if c := in.clients[queue]; c != nil {
		return c, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownQueue, queue)
}

// Queue reports the size and latency of a queue.
func (in *Inspector) Queue(queue string) (QueueInfo, error) {
	var out QueueInfo
	c, err := in.client(queue)
	if err != nil {
		return out, err
	}
	qs, err := c.Queues()
	if err != nil {
		return out, err
	}
	for _, q := range qs {
		out.Size += q.Count
		out.Latency = max(out.Latency, time.Duration(q.Latency)*time.Second)
	}
	return out, nil
}

// WorkerPools lists the pools that serve a queue.
func (in *Inspector) WorkerPools(queue string) ([]WorkerPool, error) {
	c, err := in.client(queue)
	if err != nil {
		return nil, err
	}
	hbs, err := c.WorkerPoolHeartbeats()
	if err != nil {
		return nil, err
	}
	out := make([]WorkerPool, 0, len(hbs))
	for _, h := range hbs {
		out = append(out, WorkerPool{ID: h.WorkerPoolID, Host: h.Host, PID: h.Pid, Jobs: h.JobNames,
			Concurrency: h.Concurrency, StartedAt: time.Unix(h.StartedAt, 0).UTC(), HeartbeatAt: time.Unix(h.HeartbeatAt, 0).UTC()})
	}
	return out, nil
}

// Active lists the jobs a queue's workers are running now.
func (in *Inspector) Active(queue string) ([]ActiveJob, error) {
	c, err := in.client(queue)
	if err != nil {
		return nil, err
	}
	obs, err := c.WorkerObservations()
	if err != nil {
		return nil, err
	}
	out := []ActiveJob{}
	for _, o := range obs {
		if o.IsBusy {
			out = append(out, ActiveJob{Worker: o.WorkerID, Name: o.JobName, ID: o.JobID, Args: o.ArgsJSON,
				StartedAt: time.Unix(o.StartedAt, 0).UTC()})
		}
	}
	return out, nil
}

// Jobs returns one page (from 1, twenty jobs a page, earliest At first) of a set and the
// set's size.
func (in *Inspector) Jobs(queue string, set Set, page uint) ([]JobInfo, int64, error) {
	c, err := in.client(queue)
	if err != nil {
		return nil, 0, err
	}
	var out []JobInfo
	var n int64
	switch set {
	case SetRetry:
		var js []*work.RetryJob
		js, n, err = c.RetryJobs(page)
		for _, j := range js {
			out = append(out, jobInfo(j.RetryAt, j.Job))
		}
	case SetScheduled:
		var js []*work.ScheduledJob
		js, n, err = c.ScheduledJobs(page)
		for _, j := range js {
			out = append(out, jobInfo(j.RunAt, j.Job))
		}
	case SetDead:
		var js []*work.DeadJob
		js, n, err = c.DeadJobs(page)
		for _, j := range js {
			out = append(out, jobInfo(j.DiedAt, j.Job))
		}
	default:
		return nil, 0, fmt.Errorf("jobs: no job set %q", set)
	}
	return out, n, err
}

func jobInfo(at int64, j *work.Job) JobInfo {
	return JobInfo{ID: j.ID, Name: j.Name, At: at, Fails: j.Fails, Error: j.LastErr, Args: j.Args, EnqueuedAt: j.EnqueuedAt}
}

// RetryDead moves a dead job back to its queue.
func (in *Inspector) RetryDead(ctx context.Context, queue string, at int64, id string) error {
	c, err := in.knowJobs(ctx, queue)
	if err != nil {
		return err
	}
	return gone(c.RetryDeadJob(at, id))
}

// RetryAllDead moves every dead job of a queue back to it.
func (in *Inspector) RetryAllDead(ctx context.Context, queue string) error {
	c, err := in.knowJobs(ctx, queue)
	if err != nil {
		return err
	}
	return c.RetryAllDeadJobs()
}

// knowJobs registers the queue's job names the way a worker pool does. gocraft/work requeues
// a dead job only under a name some pool has registered; with no worker started since Redis
// was (re)created, it would put the job back into the dead set as "unknown job".
func (in *Inspector) knowJobs(ctx context.Context, queue string) (*work.Client, error) {
	c, err := in.client(queue)
	if err != nil {
		return nil, err
	}
	conn, err := in.pool.GetContext(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	for _, name := range JobsOf[queue] {
		if _, err := conn.Do("SADD", Namespace(queue)+":known_jobs", name); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Delete removes one job from a set.
func (in *Inspector) Delete(queue string, set Set, at int64, id string) error {
	c, err := in.client(queue)
	if err != nil {
		return err
	}
	switch set {
	case SetRetry:
		return gone(c.DeleteRetryJob(at, id))
	case SetScheduled:
		return gone(c.DeleteScheduledJob(at, id))
	case SetDead:
		return gone(c.DeleteDeadJob(at, id))
	}
	return fmt.Errorf("jobs: no job set %q", set)
}

// DeleteAllDead empties a queue's dead set.
func (in *Inspector) DeleteAllDead(queue string) error {
	c, err := in.client(queue)
	if err != nil {
		return err
	}
	return c.DeleteAllDeadJobs()
}

// gone turns gocraft/work's "nothing deleted/retried" into ErrJobGone.
func gone(err error) error {
	if errors.Is(err, work.ErrNotDeleted) || errors.Is(err, work.ErrNotRetried) {
		return ErrJobGone
	}
	return err
}

// Lock takes the named lock (beside the workers' periodic ones) for at most ttl. ok is false
// when someone holds it; unlock releases it only while it is still ours.
func (in *Inspector) Lock(ctx context.Context, name string, ttl time.Duration) (unlock func(), ok bool, err error) {
	l, ok, err := acquireLease(ctx, in.pool, lockKey(name), "inspector", ttl)
	if !ok || err != nil {
		return nil, ok, err
	}
	return l.release, true, nil
}
