package jobs

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"time"

	"github.com/gocraft/work"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/simvid"
)

// diskWait is how long a render handed back by a worker short of disk space waits before a
// worker takes it again: long enough that the full worker does not spin on it, short
// enough that a worker with room (or this one, once space returns) starts it soon.
const diskWait = 2 * time.Second

// diskSinceArg carries the unix time of a render's first hand-back for lack of disk space
// from one hand-back to the next.
const diskSinceArg = "disk_wait_since"

// errDiskLow says this worker's data directory has less free space than limits.min_free_disk:
// it hands the job back rather than start work that would fill its disk.
var errDiskLow = errors.New("the worker's disk is nearly full")

// diskLow reports whether the data directory has less than Opts.MinFreeDisk free. A statfs
// that fails says nothing: the work itself then fails if it must.
func (w *Worker) diskLow() bool {
	if w.Opts.MinFreeDisk == 0 || w.Media == nil {
		return false
	}
	free, err := w.Media.Free()
	return err == nil && free < w.Opts.MinFreeDisk
}

// handBackLowDisk puts a render this worker will not start back in the queue for another
// worker, or for this one when space returns, without spending an attempt. The record says
// why it waits. One that has waited Opts.DiskWait since its first hand-back fails instead: on
// a deploy whose only worker stays full a user learns it in a minute, not never.
func (w *Worker) handBackLowDisk(ctx context.Context, job *work.Job, id string, log *zap.Logger) {
	since := time.Now()
	if v := job.ArgInt64(diskSinceArg); v > 0 {
		since = time.Unix(v, 0)
	}
	patience := w.Opts.DiskWait
	if patience <= 0 {
		patience = time.Minute
	}
	if time.Since(since) >= patience {
		log.Warn("no worker had free disk space for the render", zap.Duration("waited", time.Since(since)))
		w.finish(ctx, id, simvid.StateFailed, "no worker has free disk space to make the video; please try again later",
			"data directories below limits.min_free_disk")
		return
	}
	log.Warn("the data directory is nearly full: handing the render back", zap.Uint64("min_free_disk", w.Opts.MinFreeDisk))
	_, err := w.update(ctx, id, func(r *simvid.Render) error {
		if r.State.Finished() {
			return errAlreadyFinished
		}
		r.WaitForDisk()
		return nil
	})
	if errors.Is(err, errAlreadyFinished) {
		return
	}
	args := work.Q{"render_id": id, "v": PayloadVersion, diskSinceArg: since.Unix()}
	if err := w.client.enqueueIn(ctx, w.client.video, JobRender, "render", id, args, int64(diskWait/time.Second)); err != nil {
		log.Warn("hand-back enqueue failed; the reconciler will do it", zap.Error(err))
	}
}

// diskFull words a failure caused by a full disk on this worker (ENOSPC from Go, or ffmpeg
// saying so) as one: the user's pictures are not to blame, and the message says what
// happened. Other errors are returned as they are.
func diskFull(err error) error {
	full := errors.Is(err, syscall.ENOSPC)
	var re *ffmpeg.RunError
	if !full && errors.As(err, &re) {
		full = strings.Contains(re.Stderr, "No space left on device")
	}
	if !full || simvid.ErrorCode(err) == simvid.EStorageFull {
		return err
	}
	return simvid.Wrap(simvid.EStorageFull, err, "a worker ran out of disk space while making the video; please try again later")
}
