package jobs

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"sync"
	"time"

	"github.com/gocraft/work"
	"github.com/gomodule/redigo/redis"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/engine"
	"github.com/simvid/simvid/pkg/fetch"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/metrics"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
	"github.com/simvid/simvid/pkg/webhook"
)

// Options tune the workers; they come from the configuration.
type Options struct {
	MaxAttempts       int           // attempts per job before it fails for good
	Backoff           time.Duration // first retry delay, doubled per attempt (rounded up to seconds by the queue)
	RenderTimeout     time.Duration // deadline of one render job
	LeaseTTL          time.Duration // how long a lease lives without renewal
	ReconcileInterval time.Duration
	MusicWait         time.Duration // how long a render waits for its music
	DiskWait          time.Duration // how long a render waits for a worker with free disk space
	ProjectTTL        time.Duration // anonymous projects expire after this much inactivity; 0 = never
	RetentionInterval time.Duration
	CacheBytes        int64         // render cache cap; 0 = none
	MinFreeDisk       uint64        // below it a worker hands renders back instead of starting them; 0 = no check
	Threads           int           // ffmpeg -threads per process; 0 = auto
	Parallel          int           // ffmpeg processes per render job (stills)
	GroupCost         float64       // least estimated encoding seconds per segment job; 0 = render.MinGroupCost (every worker must agree)
	WebhookBackoff    time.Duration // wait before a webhook's second attempt, doubled per attempt (up to an hour)
	WebhookRetryFor   time.Duration // no attempt is planned later than this after the first
	PublicURL         string        // base of the links in webhook bodies; "" = the render's LinkBase
}

// Deps are what the workers use.
type Deps struct {
	Pool          *redis.Pool
	Store         store.Store
	Media         *media.Files
	Intake        *media.Intake
	Engine        *engine.Engine
	Links         *fetch.Links // nil: music links fail with a clear message
	FFmpegVersion string
	Metrics       *metrics.Metrics // nil: none
	Webhooks      *webhook.Sender  // calls finished renders' webhooks
	Log           *zap.Logger
	Opts          Options
}

// Worker runs the pools of the queues it was given and the periodic work.
type Worker struct {
	Deps
	client   *Client
	id       string
	pools    []*work.WorkerPool
	base     context.Context // canceled (cause errShutdown) when the grace period ends
	stopBase context.CancelCauseFunc
	running  sync.WaitGroup
	periodic context.CancelFunc

	videoSlots int // video jobs this process runs at once: ffmpeg threads share the cores among them
	speedMu    sync.Mutex
	speed      engine.Speed  // of this worker's recent renders, for the first ETAs of the next
	plans      *planCache    // of recent renders, for their segment jobs
	side       chan struct{} // one run beside the video slots at a time: onSide
	testHooks  testHooks
}

// testHooks let tests observe the steps of a render; nil in production.
type testHooks struct {
	assembling   func(renderID string)
	groupEncoded func(renderID string, g render.Group, encoded int) // encoded: segments not found in the cache
}

var errShutdown = errors.New("worker shutting down")

// NewWorker prepares pools for queues (queue name -> concurrency). Start starts them.
func NewWorker(d Deps, queues map[string]int) (*Worker, error) {
	capGocraftIdlePoll() // before any pool starts: the schedule is read by running workers
	host, _ := os.Hostname()
	w := &Worker{Deps: d, client: NewClient(d.Pool, d.Opts.RenderTimeout), id: fmt.Sprintf("%s:%d", host, os.Getpid()),
		plans: newPlanCache(), side: make(chan struct{}, 1)}
	w.base, w.stopBase = context.WithCancelCause(context.Background())
	if d.Engine != nil && d.Pool != nil { // the pieces of music are claimed among the workers
		d.Engine.WithPieceLocks(pieceLocks{pool: d.Pool, owner: w.id, ttl: max(d.Opts.LeaseTTL, time.Second)})
	}
	for queue, n := range queues {
		if _, ok := JobsOf[queue]; !ok {
			return nil, simvid.Errorf(simvid.EInvalid, "unknown queue %q (queues: video, audio)", queue)
		}
		if n < 1 {
			return nil, simvid.Errorf(simvid.EInvalid, "queue %s: concurrency must be at least 1", queue)
		}
		d.Metrics.Busy(queue, 0) // exported from the start, not from the first job
		p := work.NewWorkerPool(struct{}{}, uint(n), Namespace(queue), d.Pool)
		p.Middleware(w.recordFinalFailure)
		opts := work.JobOptions{MaxFails: uint(d.Opts.MaxAttempts) + 1, Backoff: w.backoff}
		switch queue {
		case QueueVideo:
			p.JobWithOptions(JobRender, opts, w.renderJob)
			p.JobWithOptions(JobSegment, opts, w.segmentJob)
			w.videoSlots = n
		case QueueAudio:
			p.JobWithOptions(JobPrepareAudio, opts, w.audioJob)
			p.JobWithOptions(JobFetchImage, opts, w.imageLinkJob)
			p.JobWithOptions(JobWebhook, opts, w.webhookJob)
			p.JobWithOptions(JobMixMusic, opts, w.mixMusicJob)
		}
		w.pools = append(w.pools, p)
	}
	return w, nil
}

// Start starts the pools and the periodic work (reconciler, retention, dead-set trimming).
func (w *Worker) Start() {
	for _, p := range w.pools {
		p.Start()
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.periodic = cancel
	w.running.Add(1)
	go func() {
		defer w.running.Done()
		w.runPeriodic(ctx)
	}()
	w.Log.Info("worker started", zap.String("worker", w.id), zap.Int("pools", len(w.pools)))
}

// Stop stops taking jobs and waits for running ones. Past ctx's deadline the running jobs are
// canceled: their ffmpeg is killed and their renders go back to the queue for another worker.
func (w *Worker) Stop(ctx context.Context) {
	w.periodic()
	done := make(chan struct{})
	go func() {
		var wg sync.WaitGroup
		for _, p := range w.pools {
			wg.Add(1)
			go func(p *work.WorkerPool) { defer wg.Done(); p.Stop() }(p)
		}
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		w.Log.Warn("shutdown grace over: stopping running jobs; they will run again")
		w.stopBase(errShutdown)
		<-done
	}
	w.running.Wait()
	w.stopBase(errShutdown)
}

// backoff is the delay before a failed job runs again, in whole seconds (the queue's unit).
func (w *Worker) backoff(job *work.Job) int64 {
	d := float64(w.Opts.Backoff) * math.Pow(2, float64(job.Fails-1))
	return int64(math.Ceil(d / float64(time.Second)))
}

// recordFinalFailure marks a render or asset failed when the queue gives up on its job (a
// panic, or errors past every attempt), so the record never stays unfinished forever.
func (w *Worker) recordFinalFailure(job *work.Job, next work.NextMiddlewareFunc) error {
	err := next()
	if err == nil || int64(job.Fails)+1 < int64(w.Opts.MaxAttempts)+1 || errors.Is(err, errNewerPayload) {
		return err // a newer release's job is not this release's failure: the reconciler re-enqueues its record
	}
	ctx := context.Background()
	msg := "the job failed repeatedly; please try again"
	switch job.Name {
	case JobRender:
		w.finish(ctx, job.ArgString("render_id"), simvid.StateFailed, msg, err.Error())
	case JobPrepareAudio, JobFetchImage:
		w.failAsset(ctx, job.ArgString("asset_id"), msg)
	}
	return err
}
