package jobs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/simvid/simvid/pkg/engine"
	"github.com/simvid/simvid/pkg/render"
)

// fanInPoll is how often the coordinator looks at its render's groups besides when one is
// recorded done (it is woken then): for the progress of groups under way, and to take over a
// group whose worker's lease lapsed.
const fanInPoll = 150 * time.Millisecond

// renderSteps is what a coordinator needs of a planned render.
type renderSteps struct {
	id       string
	plan     *render.Plan
	paths    inputPaths
	output   string
	poster   string
	progress func(engine.Progress)
}

// coordinate runs a render across the video workers: it prepares the stills, queues each
// group of segments as a segment job, encodes itself every group nobody has claimed (and
// every group whose worker's lease lapsed), waits until all groups are in the cache, then
// joins them with the music and makes the poster. Only the holder of the render's lease
// runs this, so the final file is assembled once per attempt.
func (w *Worker) coordinate(ctx context.Context, s renderSteps, log *zap.Logger) (*engine.Result, error) {
	p := s.plan
	ctx = engine.WithSources(ctx, s.paths.images) // the clips its groups and music read
	report := s.progress
	if report == nil {
		report = func(engine.Progress) {}
	}
	report(engine.Progress{Stage: engine.StagePreparing, FramesTotal: p.Frames})
	t0 := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, w.Opts.Parallel))
	// A clip's stills come from its segment's run: the segment is made now, in one decode.
	runs, runStills := p.ClipRuns()
	for _, seg := range runs {
		g.Go(func() error {
			_, err := w.Engine.PrepareClip(gctx, p, seg, engine.EncoderFor(p, w.Opts.Threads, w.videoSlots), nil)
			return err
		})
	}
	for _, st := range p.Stills {
		if runStills[st.Key] {
			continue
		}
		g.Go(func() error {
			_, err := w.Engine.PrepareStill(gctx, st, s.paths.images[st.Asset])
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	tStills := time.Now()
	// The poster needs only the first still: it is made while the segments are.
	poster := make(chan error, 1)
	go func() {
		if s.poster == "" {
			poster <- nil
			return
		}
		poster <- w.onSide(func() error { return w.Engine.Poster(ctx, p, s.poster) })
	}()

	// Only the segments missing from the cache are grouped and queued: a cached segment costs
	// one look-up here and nothing after (no group of it to record, poll or claim).
	stored := map[string]bool{}
	missing := func(sg render.Segment) bool {
		ok, seen := stored[sg.Key]
		if !seen {
			ok = w.Engine.SegmentStored(ctx, sg)
			stored[sg.Key] = ok
		}
		return !ok
	}
	groups := p.GroupsToMake(w.Opts.GroupCost, missing)
	w.plans.put(s.id, plannedRender{plan: p, groups: groups, paths: s.paths}) // for this process's segment jobs
	cached, toEncode := 0, len(groups)
	for _, ok := range stored {
		if ok {
			cached++
		}
	}
	if len(groups) > 1 { // a lone group is the coordinator's own
		if err := publishGroups(ctx, w.Pool, s.id, groups); err != nil { // for claims ahead elsewhere
			log.Warn("groups not published: other workers claim none ahead", zap.Error(err))
		}
		for _, gr := range groups {
			if err := w.client.EnqueueSegment(ctx, s.id, gr); err != nil {
				return nil, err
			}
		}
	}
	log.Debug("groups queued", zap.Int("groups", len(groups)), zap.Duration("since_start", time.Since(t0)))
	var workTotal float64
	cachedFrames := p.Frames // the frames of cached segments: done from the start
	for _, gr := range groups {
		workTotal += gr.Cost
		cachedFrames -= gr.Frames
	}
	report(engine.Progress{Stage: engine.StageRendering, FramesDone: cachedFrames, FramesTotal: p.Frames, WorkTotal: workTotal})

	audio := make(chan error, 1)
	var audioPath string
	go func() {
		var err error
		if p.Audio != nil {
			// Beside video encoding the music takes one core; alone (a music edit) every core.
			procs := 1
			if toEncode == 0 {
				procs = 0
			}
			err = w.onSide(func() (err error) {
				audioPath, err = w.Engine.PrepareAudio(ctx, p.Audio, s.paths.audio[p.Audio.Asset], procs)
				return err
			})
		}
		audio <- err
	}()
	tQueued := time.Now()
	own, err := w.waitGroups(ctx, s.id, p, groups, cachedFrames, report, log)
	if err != nil {
		<-audio
		return nil, err
	}
	tVideo := time.Now()
	if err := <-audio; err != nil {
		return nil, err
	}
	tMusic := time.Now()

	report(engine.Progress{Stage: engine.StageFinalizing, FramesDone: p.Frames, FramesTotal: p.Frames})
	if w.testHooks.assembling != nil {
		w.testHooks.assembling(s.id)
	}
	size, err := w.Engine.Assemble(ctx, p, audioPath, s.output)
	if err != nil {
		return nil, err
	}
	if err := <-poster; err != nil {
		return nil, err
	}
	if _, err := os.Stat(s.poster); s.poster != "" && errors.Is(err, fs.ErrNotExist) {
		// Made early, the poster may have been removed with the data directory's copies since
		// (over a store they are a cache): copied again from its cache entry, in the store.
		if err := w.Engine.Poster(ctx, p, s.poster); err != nil {
			return nil, err
		}
	}
	clearFanIn(w.Pool, s.id)
	// Where a render's time goes across workers (the bench reads it): only the groups'
	// encoding runs on every worker; the rest is this coordinator's alone.
	log.Info("render steps", zap.Float64("stills_s", tStills.Sub(t0).Seconds()), zap.Float64("queue_s", tQueued.Sub(tStills).Seconds()),
		zap.Float64("groups_s", tVideo.Sub(tQueued).Seconds()), zap.Float64("music_after_s", tMusic.Sub(tVideo).Seconds()),
		zap.Float64("join_s", time.Since(tMusic).Seconds()), zap.Int("groups", toEncode), zap.Int("own_groups", own))
	return &engine.Result{Frames: p.Frames, Duration: p.Duration, Size: size, Warnings: p.Warnings, Cached: cached}, nil
}

// waitGroups returns when every group is in the cache, encoding one group at a time itself:
// the other video slots of this and every other worker take the queued segment jobs.
// owned is how many groups it encoded itself. Each wake (a group recorded done, or fanInPoll
// without one) looks at the groups not yet done alone, in the fan-in only: a group is done
// once recorded there (a group found in the cache when claimed is recorded then), so the
// wakes of a long render do not grow with the groups finished, and look at no file.
func (w *Worker) waitGroups(ctx context.Context, id string, p *render.Plan, groups []render.Group, cachedFrames int64,
	report func(engine.Progress), log *zap.Logger) (owned int, err error) {
	enc := engine.EncoderFor(p, w.Opts.Threads, w.videoSlots)
	var own chan error // non-nil while this worker encodes a group
	ownGroups := 0     // the groups it recorded done (with those it claimed ahead), set before own's send
	pending := append([]render.Group(nil), groups...)
	doneFrames := cachedFrames
	var doneWork, workTotal float64 // the ETA's measure: frames of a hold made in the bitstream cost next to nothing
	for _, gr := range groups {
		workTotal += gr.Cost
	}
	done := map[string]bool{}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	wake := fanInWakes(wctx, w.Pool, id, fanInPoll)
	for {
		f, err := readFanIn(ctx, w.Pool, id, len(done))
		if err != nil {
			if own != nil {
				<-own
			}
			return owned, err
		}
		if f.done != nil {
			done = f.done
		}
		frames, work := doneFrames, doneWork
		left := pending[:0]
		for _, gr := range pending {
			if done[gr.Key] {
				doneFrames += gr.Frames
				doneWork += gr.Cost
				frames += gr.Frames
				work += gr.Cost
				continue
			}
			left = append(left, gr)
			if gr.Encoded > 0 {
				n := min(gr.Encoded, f.frames[gr.Key])
				frames += n * gr.Frames / gr.Encoded
				work += gr.Cost * float64(n) / float64(gr.Encoded)
			}
		}
		pending = left
		report(engine.Progress{Stage: engine.StageRendering, FramesDone: frames, FramesTotal: p.Frames,
			Work: work, WorkTotal: workTotal})
		if len(pending) == 0 {
			if own != nil { // its own last group, recorded done (the wake) before it returned
				err := <-own
				if err != nil && !errors.Is(err, errLeaseLost) {
					return owned, err
				}
				if err == nil {
					owned += ownGroups
				}
			}
			return owned, nil
		}
		if own == nil {
			// Claim the first group that is neither done nor held; a held group is
			// skipped until its worker finishes it or its lease lapses (the worker died).
			for _, gr := range pending {
				l, err := w.claimGroup(ctx, id, gr)
				if err != nil {
					return owned, err
				}
				if l != nil {
					ch := make(chan error, 1)
					own = ch
					go func() {
						var err error
						ownGroups, err = w.encodeClaimed(ctx, l, id, gr, enc, groups, nil)
						ch <- err
					}()
					break
				}
			}
		}
		select {
		case <-ctx.Done():
			if own != nil {
				<-own
			}
			return owned, context.Cause(ctx)
		case err := <-own:
			own = nil
			if err != nil && !errors.Is(err, errLeaseLost) {
				return owned, err
			}
			if err == nil {
				owned += ownGroups
				log.Debug("coordinator encoded a group", zap.Int("groups", ownGroups))
			}
		case <-wake:
		}
	}
}

// onSide runs f when no other run beside the video slots is running in this process: the
// poster, a render's music and a mix_music job's take turns. Every ffmpeg is some 50 to 80 MB
// resident, and two of them beside two encoders took the bench's cold render to 308 MB
// summed (issue 20); the poster is a fraction of a second, so whichever is first delays the
// other little.
func (w *Worker) onSide(f func() error) error {
	if w.side == nil { // a Worker not made by NewWorker (tests)
		return f()
	}
	w.side <- struct{}{}
	defer func() { <-w.side }()
	return f()
}
