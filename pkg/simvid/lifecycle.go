package simvid

import (
	"fmt"
	"time"
)

// A render's and an asset's life, said once: every state change is one of these methods,
// so that "queued", "failed" or "canceled" means the same wherever it happens (the service,
// the workers, the admin). Their messages are what people read on the page; keep them.

// NewRender returns a new render of spec for project projectID, queued at now.
func NewRender(projectID string, spec Spec, now time.Time) *Render {
	return &Render{ID: NewID(PrefixRender), ProjectID: projectID, Spec: spec, State: StateQueued,
		Message: "Waiting in the queue", Warnings: []string{}, CreatedAt: now, UpdatedAt: now}
}

// AskCancel records that someone asked to stop the render: a queued one is canceled at
// once, a running one is left for its worker to stop (and record). A finished render cannot
// be canceled (EConflict), and is not changed.
func (r *Render) AskCancel(now time.Time) error {
	switch r.State {
	case StateDone:
		return Errorf(EConflict, "the render has already finished")
	case StateFailed:
		return Errorf(EConflict, "the render has already failed")
	case StateCanceled:
		return Errorf(EConflict, "the render has already been canceled")
	}
	r.CancelAsked = true
	if r.State == StateQueued {
		r.Cancel(now)
	}
	return nil
}

// Start records that worker took the render at now: another attempt begins.
func (r *Render) Start(worker string, now time.Time) {
	r.State, r.Message, r.Worker = StatePreparing, "Preparing", worker
	r.Attempts++
	r.StartedAt = &now
}

// PreparingPictures says the worker is still making the slides' pictures ready.
func (r *Render) PreparingPictures() { r.Message = "Preparing pictures" }

// WaitFor says the render waits for a, music or a picture from a link, to be ready.
func (r *Render) WaitFor(a *Asset) {
	r.Message = "Waiting for the music"
	if a.Kind == KindImage {
		r.Message = "Waiting for the pictures"
	}
}

// Planned records what the plan found (frames, seconds of video, warnings); the slides are
// being rendered now.
func (r *Render) Planned(frames int64, duration float64, warnings []string) {
	r.Rendering()
	r.FramesTotal, r.Duration, r.Warnings = frames, duration, warnings
}

// Rendering says the slides are being rendered.
func (r *Render) Rendering() { r.State, r.Message = StateRendering, "Rendering slides" }

// Finalizing says the music is being added and the file finished; no time left is known.
func (r *Render) Finalizing() {
	r.State, r.Message, r.ETA = StateFinalizing, "Adding music and finishing", 0
}

// Advance records done of total frames and eta, the seconds left (0: unknown). The last
// percent belongs to finishing: progress stays at 99 until the file is in place.
func (r *Render) Advance(done, total int64, eta float64) {
	r.FramesDone, r.FramesTotal, r.ETA = done, total, eta
	if total > 0 {
		r.Progress = min(99, float64(done)*100/float64(total))
	}
}

// Finish records the finished video (size bytes, duration seconds) at now.
func (r *Render) Finish(size int64, duration float64, now time.Time) {
	r.State, r.Message, r.Error = StateDone, "Done", ""
	r.Progress, r.ETA, r.FramesDone = 100, 0, r.FramesTotal
	r.OutputSize, r.Duration, r.FinishedAt = size, duration, &now
}

// Fail ends the render at now: msg is for the person who asked, detail (ffmpeg's stderr)
// for operators.
func (r *Render) Fail(msg, detail string, now time.Time) {
	r.State, r.FinishedAt, r.ETA = StateFailed, &now, 0
	r.Message, r.Error, r.ErrorDetail = "Failed", msg, detail
}

// Cancel ends the render at now because someone asked to stop it.
func (r *Render) Cancel(now time.Time) {
	r.State, r.FinishedAt, r.ETA = StateCanceled, &now, 0
	r.Message, r.Error = "Canceled", "canceled"
}

// HandBack returns a render its worker could not finish (it is shutting down) to the queue;
// the attempt does not count.
func (r *Render) HandBack() {
	r.State, r.Message, r.Attempts = StateQueued, "Waiting for a worker", max(r.Attempts-1, 0)
}

// WaitForDisk returns a render to the queue because its worker has too little disk space;
// another worker (or this one, once space returns) takes it.
func (r *Render) WaitForDisk() {
	r.State, r.Message = StateQueued, "Waiting for a worker with free disk space"
}

// RetryLater returns a render whose attempt failed to the queue for another of at most
// maxAttempts; detail (why it failed) is kept for operators.
func (r *Render) RetryLater(maxAttempts int, detail string) {
	r.State = StateQueued
	r.Message = fmt.Sprintf("Retrying after a problem (attempt %d of %d)", r.Attempts+1, maxAttempts)
	r.ErrorDetail = detail
}

// Requeue puts a failed render back in the queue as if it had never run (a dead job retried
// by the admin); it reports false, changing nothing, for a render in any other state.
func (r *Render) Requeue() bool {
	if r.State != StateFailed {
		return false
	}
	r.State, r.Message, r.Error, r.ErrorDetail = StateQueued, "Waiting in the queue", "", ""
	r.Progress, r.ETA, r.FramesDone, r.Attempts = 0, 0, 0, 0
	r.StartedAt, r.FinishedAt = nil, nil
	return true
}

// Ready says the asset can be used: a picture after intake, music once its working copy is made.
func (a *Asset) Ready() { a.State, a.Error = AssetReady, "" }

// Fail says the asset cannot be used, and msg why (for people).
func (a *Asset) Fail(msg string) { a.State, a.Error = AssetFailed, msg }

// Fetched says the file behind the asset's link has arrived: a picture has been through
// intake and is ready; music still needs its working copy, so it is processing.
func (a *Asset) Fetched() {
	a.State, a.Error, a.Progress = AssetProcessing, "", 100
	if a.Kind == KindImage {
		a.State = AssetReady
	}
}
