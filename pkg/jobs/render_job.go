package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/gocraft/work"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/engine"
	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// Why a render job's context ended early, besides its deadline.
var (
	errUserCanceled = errors.New("canceled by the user")
)

// renderJob runs one render from the database record: the queue only carries its id.
func (w *Worker) renderJob(job *work.Job) error {
	id, valid, err := payloadID(job, "render_id", simvid.PrefixRender)
	log := w.Log.With(zap.String("render_id", id), zap.String("job", job.ID))
	if err != nil {
		log.Warn("job from a newer release", zap.Error(err))
		return err
	}
	if !valid {
		log.Error("dropping a render job with a bad payload", zap.Any("args", job.Args))
		return nil
	}
	ctx, cancel := context.WithCancelCause(w.base)
	defer cancel(nil)
	if w.Opts.RenderTimeout > 0 { // gocraft/work has no job timeout: ffmpeg dies at this deadline
		var stop context.CancelFunc
		ctx, stop = context.WithTimeout(ctx, w.Opts.RenderTimeout)
		defer stop()
	}
	l, ok, err := acquireLease(ctx, w.Pool, leaseKey("render", id), w.id, w.Opts.LeaseTTL)
	if err != nil {
		return err // Redis trouble: let the queue retry
	}
	if !ok {
		log.Info("render is already running on another worker")
		return nil
	}
	defer l.release()
	if w.diskLow() {
		w.handBackLowDisk(ctx, job, id, log)
		return nil
	}
	w.Metrics.Busy(QueueVideo, 1)
	defer w.Metrics.Busy(QueueVideo, -1)
	go l.keepAlive(ctx, func() { cancel(errLeaseLost) })
	go w.watchCancel(ctx, id, cancel)
	w.clearMarker(ctx, "render", id)

	err = w.runRender(ctx, id, log)
	return w.settle(ctx, id, err, context.Cause(ctx), log)
}

// runRender does the work; every state it passes through is written to the record.
func (w *Worker) runRender(ctx context.Context, id string, log *zap.Logger) error {
	r, err := w.Store.GetRender(ctx, id)
	if err != nil {
		return err
	}
	if r.State.Finished() {
		return nil // a duplicate job for work already done
	}
	now := time.Now().UTC()
	r, err = w.update(ctx, id, func(r *simvid.Render) error {
		if r.State.Finished() {
			return errAlreadyFinished
		}
		if r.CancelAsked {
			return errUserCanceled
		}
		r.Start(w.id, now)
		return nil
	})
	if errors.Is(err, errAlreadyFinished) {
		return nil
	}
	if err != nil {
		return err
	}
	if r.Attempts == 1 { // the first start: from the click to a worker taking the job
		w.Metrics.QueueWaited(JobRender, now.Sub(r.CreatedAt))
	}
	log.Debug("render started", zap.Duration("queued", now.Sub(r.CreatedAt))) // a timeline's start (the bench's SIMVID_BENCH_LOG)
	if r.Attempts > w.Opts.MaxAttempts {
		return simvid.Errorf(simvid.EUnprocessable, "the render failed %d times; please try again", w.Opts.MaxAttempts)
	}
	in, paths, err := w.loadInputs(ctx, r)
	if err != nil {
		return err
	}
	plan, err := render.NewPlan(in)
	if err != nil {
		return err
	}
	if _, err := w.update(ctx, id, func(r *simvid.Render) error {
		r.Planned(plan.Frames, plan.Duration, plan.Warnings)
		return nil
	}); err != nil {
		return err
	}
	out, err := w.Media.RenderVideo(r.ProjectID, id)
	if err != nil {
		return err
	}
	poster, err := w.Media.RenderPoster(r.ProjectID, id)
	if err != nil {
		return err
	}
	est := engine.NewETA(w.priorSpeed(ctx, r.ProjectID), plan.Frames)
	res, err := w.coordinate(ctx, renderSteps{id: id, plan: plan, paths: paths, output: out, poster: poster,
		progress: w.progressFunc(ctx, id, est)}, log)
	if err != nil {
		return err
	}
	if err := w.publishOutputs(ctx, out, poster); err != nil {
		return err
	}
	fin := time.Now().UTC()
	w.learnSpeed(ctx, r.ProjectID, est.Finished(fin)) // coordinate has returned: no report is under way
	_, err = w.update(ctx, id, func(r *simvid.Render) error {
		r.Finish(res.Size, res.Duration, fin)
		return nil
	})
	w.Metrics.RenderFinished(simvid.StateDone, fin.Sub(*r.StartedAt), res.Duration)
	log.Info("render done", zap.Int64("frames", res.Frames), zap.Int64("bytes", res.Size),
		zap.Int("cached_segments", res.Cached), zap.Duration("took", fin.Sub(*r.StartedAt)))
	return err
}

var errAlreadyFinished = errors.New("render already finished")

// publishOutputs puts a render's video and poster in the store before the record says done,
// so that a done render's files are whole wherever they are read, and drops this host's
// copies: a worker does not serve them. Without a store the files are in place already.
func (w *Worker) publishOutputs(ctx context.Context, paths ...string) error {
	for _, p := range paths {
		if err := w.Media.Upload(ctx, p); err != nil {
			return err
		}
	}
	for _, p := range paths {
		w.Media.DropLocal(p)
	}
	return nil
}

// settle turns the outcome of runRender into the record's final state, a retry, or a hand-back.
func (w *Worker) settle(ctx context.Context, id string, err, cause error, log *zap.Logger) error {
	bg := context.Background() // ctx may be canceled; the record must still be written
	switch {
	case err == nil:
		return nil
	case errors.Is(cause, errLeaseLost):
		log.Warn("lease lost: another worker runs this render now")
		return nil
	case errors.Is(cause, errUserCanceled) || errors.Is(err, errUserCanceled):
		w.finish(bg, id, simvid.StateCanceled, "canceled", "")
		return nil
	case errors.Is(cause, errShutdown):
		log.Info("handing the render back to the queue")
		_, _ = w.update(bg, id, func(r *simvid.Render) error { r.HandBack(); return nil })
		if err := w.client.EnqueueRender(bg, id); err != nil {
			log.Warn("hand-back enqueue failed; the reconciler will do it", zap.Error(err))
		}
		return nil
	}
	err = diskFull(err)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(cause, context.DeadlineExceeded) {
		err = simvid.Wrap(simvid.EInternal, err, "the render took longer than %s and was stopped", w.Opts.RenderTimeout)
	}
	var re *ffmpeg.RunError
	detail := err.Error()
	if errors.As(err, &re) {
		detail = re.Stderr
		w.Metrics.FFmpegFailed()
	}
	msg := userMessage(err)
	r, gerr := w.Store.GetRender(bg, id)
	inputFault := isInputError(err)
	if inputFault || gerr != nil || r.Attempts >= w.Opts.MaxAttempts {
		log.Warn("render failed", zap.Error(err))
		w.finish(bg, id, simvid.StateFailed, msg, detail)
		return nil
	}
	log.Warn("render attempt failed; retrying", zap.Error(err), zap.Int("attempt", r.Attempts))
	_, _ = w.update(bg, id, func(r *simvid.Render) error { r.RetryLater(w.Opts.MaxAttempts, detail); return nil })
	w.setMarker(bg, "render", id)
	return err
}

// isInputError reports whether err was caused by what the user gave: retrying cannot help.
func isInputError(err error) bool {
	switch simvid.ErrorCode(err) {
	case simvid.EUnprocessable, simvid.EUnsupported, simvid.ETooLarge, simvid.ENotFound, simvid.EInvalid, simvid.EQuota:
		return true
	}
	return false
}

// userMessage is the failure text a person sees: a coded message, or ffmpeg's explanation.
func userMessage(err error) string {
	if simvid.ErrorCode(err) != simvid.EInternal {
		return simvid.ErrorMessage(err)
	}
	var e *simvid.Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	var re *ffmpeg.RunError
	if errors.As(err, &re) {
		return "the video could not be made: " + re.Message
	}
	return "the video could not be made because of a problem on the server"
}

// finish writes a terminal state.
func (w *Worker) finish(ctx context.Context, id string, state simvid.RenderState, msg, detail string) {
	if !simvid.ValidID(simvid.PrefixRender, id) {
		return
	}
	now := time.Now().UTC()
	_, err := w.update(ctx, id, func(r *simvid.Render) error {
		if r.State.Finished() {
			return errAlreadyFinished
		}
		if state == simvid.StateCanceled {
			r.Cancel(now)
		} else {
			r.Fail(msg, detail, now)
		}
		return nil
	})
	if err == nil {
		w.Metrics.RenderFinished(state, 0, 0)
	}
	if err != nil && !errors.Is(err, errAlreadyFinished) {
		w.Log.Error("could not record the end of a render", zap.String("render_id", id), zap.Error(err))
	}
}
