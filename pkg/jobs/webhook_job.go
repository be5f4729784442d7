package jobs

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/gocraft/work"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/webhook"
)

// JobWebhook calls a finished render's webhook once; on failure it schedules its own next
// attempt with a doubling delay until Options.WebhookRetryFor has passed since the first.
const JobWebhook = "webhook"

// maxWebhookDelay caps the wait between two attempts.
const maxWebhookDelay = time.Hour

// EnqueueWebhook queues the first call of a render's webhook. A render is announced once:
// a marker in Redis drops the second and later calls for the same render.
func (c *Client) EnqueueWebhook(ctx context.Context, renderID string) error {
	conn, err := c.pool.GetContext(ctx)
	if err != nil {
		return fmt.Errorf("jobs: enqueue webhook: %w", err)
	}
	ok, err := conn.Do("SET", "simvid:webhook:queued:"+renderID, "1", "NX", "EX", 3*24*3600)
	conn.Close()
	if err != nil {
		return fmt.Errorf("jobs: enqueue webhook: %w", err)
	}
	if ok == nil {
		return nil
	}
	_, err = c.audio.Enqueue(JobWebhook, work.Q{"render_id": renderID, "attempt": 1, "first": time.Now().Unix(), "v": PayloadVersion})
	if err != nil {
		return fmt.Errorf("jobs: enqueue webhook: %w", err)
	}
	return nil
}

func (w *Worker) webhookJob(job *work.Job) error {
	id, valid, err := payloadID(job, "render_id", simvid.PrefixRender)
	if err != nil {
		w.Log.Warn("job from a newer release", zap.String("render_id", id), zap.Error(err))
		return err
	}
	attempt, first := int(job.ArgInt64("attempt")), time.Unix(job.ArgInt64("first"), 0)
	if !valid || attempt < 1 {
		w.Log.Error("dropping a webhook job with a bad payload", zap.Any("args", job.Args))
		return nil
	}
	ctx, cancel := context.WithTimeout(w.base, 2*time.Minute)
	defer cancel()
	r, err := w.Store.GetRender(ctx, id)
	if simvid.IsCode(err, simvid.ENotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	url, secret, err := w.webhookTarget(ctx, r)
	if err != nil || url == "" {
		return err
	}
	base := w.Opts.PublicURL // the operator's word wins; else the request's that made the render
	if base == "" {
		base = r.LinkBase
	}
	res := w.Webhooks.Send(ctx, url, secret, webhook.Payload(r, base, time.Now()))
	d := &simvid.WebhookDelivery{RenderID: id, Event: webhook.Event(r), URL: url, Attempt: attempt, Status: res.Status,
		DurationMS: res.Duration.Milliseconds()}
	var delay time.Duration
	if res.Err != nil {
		d.Error = res.Err.Error()
		delay = min(w.Opts.WebhookBackoff<<min(attempt-1, 20), maxWebhookDelay)
		if next := time.Now().Add(delay); next.Sub(first) <= w.Opts.WebhookRetryFor {
			d.NextAt = &next
		}
	}
	if err := w.Store.AddWebhookDelivery(ctx, d); err != nil {
		w.Log.Warn("could not record a webhook delivery", zap.String("render_id", id), zap.Error(err))
	}
	log := w.Log.With(zap.String("render_id", id), zap.Int("attempt", attempt), zap.Int("status", res.Status))
	if d.NextAt == nil {
		if res.Err != nil {
			log.Warn("webhook given up", zap.Error(res.Err))
		}
		return nil
	}
	log.Info("webhook failed; trying again later", zap.Duration("in", delay), zap.Error(res.Err))
	_, err = w.client.audio.EnqueueIn(JobWebhook, wholeSecondsAfter(time.Now(), delay),
		work.Q{"render_id": id, "attempt": attempt + 1, "first": first.Unix(), "v": PayloadVersion})
	return err
}

// webhookTarget is where a render's webhook goes and the secret that signs it: the render's
// own callback URL or its key's webhook URL, signed with the key's webhook secret.
func (w *Worker) webhookTarget(ctx context.Context, r *simvid.Render) (string, string, error) {
	p, err := w.Store.GetProject(ctx, r.ProjectID)
	if simvid.IsCode(err, simvid.ENotFound) || (err == nil && p.OwnerKey == "") {
		return "", "", nil // deleted, or anonymous: anonymous renders have no webhook
	}
	if err != nil {
		return "", "", err
	}
	k, err := w.Store.GetAPIKey(ctx, p.OwnerKey)
	if simvid.IsCode(err, simvid.ENotFound) {
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	url := r.CallbackURL
	if url == "" {
		url = k.WebhookURL
	}
	return url, k.WebhookSecret, nil
}

// wholeSecondsAfter is EnqueueIn's argument for running no sooner than d after now: the
// queue schedules at its current whole second plus the argument.
func wholeSecondsAfter(now time.Time, d time.Duration) int64 {
	frac := time.Duration(now.Nanosecond())
	return max(int64(math.Ceil((frac + d).Seconds())), 1)
}
