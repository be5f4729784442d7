// Package jobs is simvid's queue side on gocraft/work: job names, enqueueing, worker pools
// and their middleware, leases, cancel flags and the periodic reconciler and retention work.
// The admin (pkg/admin) reads and steers the same queues through the Inspector
// (inspector.go); no other package imports gocraft/work or builds its keys.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gocraft/work"
	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/simvid"
)

// Queues. Each has its own gocraft/work namespace so that a pool of one queue never sees the
// jobs of another and its requeuer knows every job name it meets.
const (
	QueueVideo = "video"
	QueueAudio = "audio"
)

// Job names.
const (
	JobRender       = "render"
	JobSegment      = "segment" // one group of a render's segments
	JobPrepareAudio = "prepare_audio"
	JobFetchImage   = "fetch_image" // a picture given by link, on the audio queue
	JobMixMusic     = "mix_music"   // a project's music mix, prepared before its render asks (mix_job.go)
)

// PayloadVersion is written into every job. A worker accepts payloads from this version and
// the one before it (version 0: the field absent), so serve and work of neighbouring releases
// can run side by side. A payload newer than the worker is handed back to the queue (an
// error, retried with backoff) for an upgraded worker, never dropped.
const PayloadVersion = 1

// errNewerPayload is returned for a job written by a newer release.
var errNewerPayload = errors.New("job payload written by a newer simvid: leaving it to an upgraded worker")

// payloadID checks a job's payload and returns the id it carries in arg. ok is false for a
// payload that no release could run (a bad id): the caller drops it. A payload from a newer
// release returns errNewerPayload.
func payloadID(job *work.Job, arg, prefix string) (id string, ok bool, err error) {
	id = job.ArgString(arg)
	if v := job.ArgInt64("v"); v > PayloadVersion {
		return id, true, fmt.Errorf("%w (version %d, this worker reads up to %d)", errNewerPayload, v, PayloadVersion)
	}
	return id, simvid.ValidID(prefix, id), nil
}

// payloadInts reads a list of whole numbers from a job's payload: nil when absent (an older
// release's payload) or not a list of whole numbers.
func payloadInts(job *work.Job, arg string) []int {
	list, ok := job.Args[arg].([]any) // JSON arrays decode to []any of float64
	if !ok {
		return nil
	}
	out := make([]int, 0, len(list))
	for _, v := range list {
		f, ok := v.(float64)
		if !ok || f != float64(int(f)) {
			return nil
		}
		out = append(out, int(f))
	}
	return out
}

// Queues lists every queue, and JobsOf the job names each one carries.
var (
	Queues = []string{QueueVideo, QueueAudio}
	JobsOf = map[string][]string{QueueVideo: {JobRender, JobSegment}, QueueAudio: {JobPrepareAudio, JobFetchImage, JobWebhook, JobMixMusic}}
)

// Namespace returns the gocraft/work namespace of a queue.
func Namespace(queue string) string { return "simvid:" + queue }

// Client enqueues jobs. serve uses it and nothing else of this package's queue side.
type Client struct {
	pool     *redis.Pool
	video    *work.Enqueuer
	audio    *work.Enqueuer
	markerTT time.Duration
}

// NewClient returns a Client on pool. markerTTL bounds how long a queued marker keeps the
// reconciler from enqueuing a render again (a lost queue is noticed after it).
func NewClient(pool *redis.Pool, markerTTL time.Duration) *Client {
	return &Client{
		pool:     pool,
		video:    work.NewEnqueuer(Namespace(QueueVideo), pool),
		audio:    work.NewEnqueuer(Namespace(QueueAudio), pool),
		markerTT: markerTTL,
	}
}

// EnqueueRender queues the render job for a render id. Running it twice is harmless: the job
// takes the render's lease first and reads its state from the database.
func (c *Client) EnqueueRender(ctx context.Context, renderID string) error {
	return c.enqueue(ctx, c.video, JobRender, "render", renderID, work.Q{"render_id": renderID, "v": PayloadVersion})
}

// EnqueueFetchImage queues the fetch of a picture given by link.
func (c *Client) EnqueueFetchImage(ctx context.Context, assetID string) error {
	return c.enqueue(ctx, c.audio, JobFetchImage, "image", assetID, work.Q{"asset_id": assetID, "v": PayloadVersion})
}

// EnqueuePrepareAudio queues the making of a music asset's working copy.
func (c *Client) EnqueuePrepareAudio(ctx context.Context, assetID string) error {
	return c.enqueue(ctx, c.audio, JobPrepareAudio, "audio", assetID, work.Q{"asset_id": assetID, "v": PayloadVersion})
}

// mixDelay is how long a project's music mix waits after the change that asked for it, in
// seconds (the queue's unit). Changes within it share one job: a burst of edits (a fade being
// dragged, pictures arriving one request at a time) makes one encode of the last state, not
// one per edit.
const mixDelay = 1

// EnqueueMixMusic queues the preparation of a project's music mix for its current settings.
// One job per project waits at a time (unique by its payload); a change after that job has
// started queues the next one, which reads the project again. Nothing marks it for the
// reconciler: a lost job only means the render encodes the music itself, as it always can.
func (c *Client) EnqueueMixMusic(ctx context.Context, projectID string) error {
	if _, err := c.audio.EnqueueUniqueIn(JobMixMusic, mixDelay, work.Q{"project_id": projectID, "v": PayloadVersion}); err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", JobMixMusic, err)
	}
	return nil
}

func (c *Client) enqueue(ctx context.Context, e *work.Enqueuer, job, kind, id string, args work.Q) error {
	return c.enqueueIn(ctx, e, job, kind, id, args, 0)
}

// enqueueIn is enqueue for a job that may start secs seconds from now (0: at once).
func (c *Client) enqueueIn(ctx context.Context, e *work.Enqueuer, job, kind, id string, args work.Q, secs int64) error {
	conn, err := c.pool.GetContext(ctx)
	if err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", job, err)
	}
	_, err = conn.Do("SET", queuedKey(kind, id), "1", "PX", c.markerTT.Milliseconds())
	conn.Close()
	if err != nil {
		return fmt.Errorf("jobs: enqueue %s: marker: %w", job, err)
	}
	if secs > 0 {
		_, err = e.EnqueueIn(job, secs, args)
	} else {
		_, err = e.Enqueue(job, args)
	}
	if err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", job, err)
	}
	return nil
}

// Cancel asks the worker running a render to stop. It returns at once; the worker notices
// within a quarter of a second.
func (c *Client) Cancel(ctx context.Context, renderID string) error {
	conn, err := c.pool.GetContext(ctx)
	if err != nil {
		return fmt.Errorf("jobs: cancel: %w", err)
	}
	defer conn.Close()
	if _, err := conn.Do("SET", cancelKey(renderID), "1", "EX", 3600); err != nil {
		return fmt.Errorf("jobs: cancel: %w", err)
	}
	return nil
}

// Running reports whether some worker holds the lease of a render right now.
func (c *Client) Running(ctx context.Context, renderID string) (bool, error) {
	conn, err := c.pool.GetContext(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	return redis.Bool(conn.Do("EXISTS", leaseKey("render", renderID)))
}

// QueueDepth returns how many jobs wait in a queue.
func QueueDepth(conn redis.Conn, queue string) (int64, error) {
	var total int64
	for _, name := range JobsOf[queue] {
		n, err := redis.Int64(conn.Do("LLEN", Namespace(queue)+":jobs:"+name))
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}
