package jobs

import (
	"context"
	"errors"
	"math"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gocraft/work"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/fetch"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/simvid"
)

// fetchLink gets the music of an asset in state fetching from its link, takes it in like an
// upload (sniff, probe, limits) and moves the asset to processing, updated in place (a). done
// false means the job ends here with err: nil when the asset failed for good or vanished, an
// error to have the queue try again later (network trouble, shutdown).
func (w *Worker) fetchLink(ctx context.Context, log *zap.Logger, job *work.Job, a *simvid.Asset) (done bool, err error) {
	if w.Links == nil {
		w.failAsset(context.Background(), a.ID, "this server does not fetch music from links"+fetch.UploadInstead)
		return false, nil
	}
	var pct atomic.Uint64 // float64 bits
	stop := w.reportFetchProgress(ctx, a.ID, &pct)
	tr, err := w.Links.Fetch(ctx, a.SourceURL, func(p float64) { pct.Store(math.Float64bits(p)) })
	stop()
	if err == nil {
		defer tr.Remove()
		err = w.takeInFetched(ctx, a, tr)
	}
	if err == nil {
		return true, nil
	}
	if simvid.IsCode(err, simvid.ENotFound) {
		return false, nil // the asset or its project was deleted meanwhile
	}
	if errors.Is(context.Cause(w.base), errShutdown) {
		w.setMarker(context.Background(), "audio", a.ID)
		return false, err // back to the queue
	}
	last := int64(job.Fails)+1 >= int64(w.Opts.MaxAttempts)
	if fetch.Final(err) || isInputError(err) || last {
		log.Warn("music link failed", zap.Error(err), zap.Bool("last_attempt", last))
		w.failAsset(context.Background(), a.ID, linkMessage(err))
		return false, nil
	}
	log.Info("music link failed; trying again later", zap.Error(err), zap.Int64("fails", job.Fails))
	w.setMarker(context.Background(), "audio", a.ID)
	return false, err
}

// takeInFetched runs the upload intake on a fetched track and records the result.
func (w *Worker) takeInFetched(ctx context.Context, a *simvid.Asset, tr *fetch.Track) error {
	f, err := os.Open(tr.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	size := tr.Size
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	if err := w.checkKeyStorage(ctx, a.ProjectID, size); err != nil {
		return err
	}
	title := media.DisplayName(strings.TrimSpace(tr.Title))
	if title == "" || title == "file" {
		title = "Music from a link"
	}
	in := *a
	in.OriginalName = title
	if err := w.Intake.AudioInto(ctx, &in, f); err != nil {
		return err
	}
	if err := w.fitClip(ctx, a.ProjectID, a.ID, in.Duration); err != nil {
		_ = w.Media.DeleteAsset(a.ProjectID, a.ID)
		return err
	}
	got, err := w.Store.UpdateAsset(ctx, a.ID, func(cur *simvid.Asset) error {
		if cur.State != simvid.AssetFetching {
			return simvid.Errorf(simvid.EConflict, "the music changed meanwhile")
		}
		cur.Fetched()
		cur.OriginalName, cur.Size, cur.SHA256 = in.OriginalName, in.Size, in.SHA256
		cur.Format, cur.Codec, cur.Duration = in.Format, in.Codec, in.Duration
		return nil
	})
	if err != nil {
		_ = w.Media.DeleteAsset(a.ProjectID, a.ID)
		if simvid.IsCode(err, simvid.EConflict) {
			return simvid.Errorf(simvid.ENotFound, "the music was replaced")
		}
		return err
	}
	*a = *got
	return nil
}

// fitClip holds the project's trim of this music to the fetched track: an end past the track
// plays to its end; a start past it fails the music.
func (w *Worker) fitClip(ctx context.Context, projectID, assetID string, length float64) error {
	_, err := w.Store.UpdateProject(ctx, projectID, func(p *simvid.Project) error {
		for i := range p.Spec.Audio {
			c := &p.Spec.Audio[i]
			if c.Asset != assetID {
				continue
			}
			if c.Start >= length {
				return simvid.Errorf(simvid.EUnprocessable, "the music start (%.1f s) is past the end of the track (%.1f s)", c.Start, length)
			}
			if c.End > length {
				c.End = 0
			}
		}
		return nil
	})
	return err
}

// reportFetchProgress writes the fetch's progress to the asset at most once a second.
func (w *Worker) reportFetchProgress(ctx context.Context, id string, pct *atomic.Uint64) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		var last float64
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			p := math.Round(math.Float64frombits(pct.Load()))
			if p == last {
				continue
			}
			last = p
			_, _ = w.Store.UpdateAsset(ctx, id, func(a *simvid.Asset) error {
				if a.State != simvid.AssetFetching {
					return simvid.Errorf(simvid.EConflict, "no longer fetching")
				}
				a.Progress = p
				return nil
			})
		}
	}()
	return func() { cancel(); <-done }
}

// linkMessage is the final failure of a link for people: the reason, then what to do.
func linkMessage(err error) string {
	if errors.Is(err, fetch.ErrNotInstalled) {
		return "this server cannot fetch music from links (yt-dlp is not installed)" + fetch.UploadInstead
	}
	msg := userMessage(err)
	if simvid.ErrorCode(err) == simvid.EInternal {
		msg = "the music could not be fetched from the link"
	}
	if strings.HasSuffix(msg, fetch.UploadInstead) {
		return msg
	}
	return msg + fetch.UploadInstead
}
