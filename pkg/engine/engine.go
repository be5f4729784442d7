// Package engine runs a render plan: it prepares stills, encodes segments and music with
// ffmpeg into a content-addressed cache, and assembles the final MP4 and its poster.
package engine

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/singleflight"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/motion"
	"github.com/simvid/simvid/pkg/mp4"
	"github.com/simvid/simvid/pkg/render"
)

// Engine runs plans. Every step is idempotent and writes through a temp file and a rename, so
// that each could run as its own queue job on any host sharing the cache directory, or
// sharing a store behind it (Shared).
type Engine struct {
	ff          *ffmpeg.Runner
	cache       string
	tmp         string
	log         *zap.Logger
	shared      Shared             // nil: the cache directory is all there is
	audioFlight singleflight.Group // by music track key
	pieces      pieceClaims        // music pieces being encoded (audioPieces)
	pieceLocks  PieceLocks         // nil: no other process makes pieces for this cache
	motionSlot  chan struct{}      // held while a moving segment encodes (encodeMoving)
	keySlot     chan struct{}      // held while a slot's keyframes encode in one x264 (keyframesFed)
	frames      *motion.Frames     // the moving segments' stills and frames, reused
	index       *mp4.Index         // the sample tables of the segments joined lately
	batchMem    int64              // the memory a keyframes batch may take; 0: batchMemory (keyframesAhead)
	batchOnly   bool               // tests: keyframes runs go to batches, never to one fed x264 (fedKeyframes)
}

// indexFiles is how many segments' sample tables an engine keeps for its joins: a 300-picture
// show's 600 and more (about 7 kB each for a 3-second hold at 30 fps).
const indexFiles = 2048

// Shared is the object store behind the cache and the inputs when hosts share no disk
// (media.Files over a media.Remote). Paths are local paths; the store names them by their
// place in the data directory.
type Shared interface {
	// Fetch makes sure path is here, downloading it when it is not; found is false when the
	// store has no such file either.
	Fetch(ctx context.Context, path string) (found bool, err error)
	// Stored reports whether path is here or in the store, without downloading it.
	Stored(ctx context.Context, path string) (bool, error)
	// PublishOnce puts a finished cache entry in the store unless it is there: entries are
	// content-addressed, so the first copy is as good as any.
	PublishOnce(ctx context.Context, path string) error
}

// PieceLocks claims music pieces among the processes that share a cache (through a shared
// directory or a store): the pieces a process is encoding are waited for by the others
// rather than encoded again (the prepare_audio job on one worker, a render on another).
type PieceLocks interface {
	// Claim claims keys for this process, until release is called; held says which of them
	// another process holds (not claimed here).
	Claim(ctx context.Context, keys []string) (held []bool, release func(), err error)
	// Held says which of keys another process holds now.
	Held(ctx context.Context, keys []string) ([]bool, error)
}

// WithPieceLocks claims music pieces through l among processes; it returns e, and is called
// once, before any use.
func (e *Engine) WithPieceLocks(l PieceLocks) *Engine {
	e.pieceLocks = l
	return e
}

// New returns an engine caching under cacheDir and writing scratch files under tmpDir.
func New(ff *ffmpeg.Runner, cacheDir, tmpDir string, log *zap.Logger) *Engine {
	return &Engine{ff: ff, cache: cacheDir, tmp: tmpDir, log: log, motionSlot: make(chan struct{}, 1), keySlot: make(chan struct{}, 1),
		frames: &motion.Frames{}, index: mp4.NewIndex(indexFiles)}
}

// WithShared puts the store s behind the cache and the inputs: an entry another host made is
// fetched instead of made again, an entry made here is published for the others, and an
// input (a picture, the music's working copy) is fetched when a step must read it. It
// returns e, and is called once, before any use.
func (e *Engine) WithShared(s Shared) *Engine {
	e.shared = s
	return e
}

// Job is one render to run.
type Job struct {
	Plan       *render.Plan
	ImagePaths map[string]string // asset id -> original file (pictures and clips)
	AudioPaths map[string]string // asset id -> 48 kHz FLAC working copy
	Output     string            // final MP4, written atomically
	Poster     string            // final JPEG ("" for none), written atomically
	Parallel   int               // ffmpeg processes at once (default 1)
	Threads    int               // -threads per encoding ffmpeg (0 = the cores shared out among Parallel)
}

// Progress stages.
const (
	StagePreparing  = "preparing"
	StageRendering  = "rendering"
	StageFinalizing = "finalizing"
)

// Progress is reported while a job runs. FramesDone never goes down.
type Progress struct {
	Stage       string
	FramesDone  int64
	FramesTotal int64
	// Work and WorkTotal are estimated encoding seconds (render.SegmentCost) done and in
	// all, when the reporter knows them (0 otherwise): a hold made in the bitstream fills
	// many frames at almost no cost, so frames are a poor measure of time left.
	Work, WorkTotal float64
}

// Result describes a finished render.
type Result struct {
	Frames   int64
	Duration float64
	Size     int64
	Warnings []string
	Cached   int // segments found in the cache
}

// Run renders a whole job in this process: stills (and the clips' segments, whose runs write
// the clips' stills), then segments and music, then the final file and the poster. progress
// may be nil. Cancelling ctx kills every ffmpeg at once.
func (e *Engine) Run(ctx context.Context, job Job, progress func(Progress)) (*Result, error) {
	p := job.Plan
	if p == nil || job.Output == "" {
		return nil, fmt.Errorf("engine: a job needs a plan and an output path")
	}
	start := time.Now()
	ctx = WithSources(ctx, job.ImagePaths)
	par := max(1, job.Parallel)
	tr := newTracker(p, progress)
	defer tr.stop()

	tr.setStage(StagePreparing)
	enc := EncoderFor(p, job.Threads, par)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(par)
	// A clip's stills come from its segment's run: the segment is made now, in one decode of
	// the clip, the longest steps first.
	runs, runStills := p.ClipRuns()
	made := map[string]bool{}
	for _, seg := range runs {
		made[seg.Key] = true
		g.Go(func() error {
			cached, err := e.PrepareClip(gctx, p, seg, enc, func(n int64) { tr.frames(seg.Key, n) })
			if err == nil {
				tr.finished(seg.Key, cached)
			}
			return err
		})
	}
	for _, st := range p.Stills {
		if runStills[st.Key] {
			continue
		}
		g.Go(func() error {
			_, err := e.PrepareStill(gctx, st, job.ImagePaths[st.Asset])
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	tr.setStage(StageRendering)
	var audioPath string
	if hasMoving(p) {
		// A motion render's peak is its x264 (about 230 MB at 1080p) plus this process:
		// the music is prepared first rather than beside the encoder (its ffmpeg took the
		// 12-picture show to 332 MB), and what the pictures' intake left on the heap goes
		// back to the system (some 12 MB it no longer used). Nothing else runs then, so its
		// pieces take every core (an AAC encoder uses one, about 50 MB): the 12-picture
		// show's 1.8 s of music went before its encoder on one core while the other idled.
		if p.Audio != nil {
			var err error
			if audioPath, err = e.PrepareAudio(ctx, p.Audio, job.AudioPaths[p.Audio.Asset], 0); err != nil {
				return nil, err
			}
		}
		debug.FreeOSMemory()
	}
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(par)
	if p.Audio != nil && audioPath == "" {
		g.Go(func() error {
			var err error
			audioPath, err = e.PrepareAudio(gctx, p.Audio, job.AudioPaths[p.Audio.Asset], 1) // one of the par slots
			return err
		})
	}
	var todo []render.Segment // what the clip runs of the stills stage have not made
	for _, seg := range tr.unique() {
		if !made[seg.Key] {
			todo = append(todo, seg)
		}
	}
	frames := func(seg render.Segment, n int64) { tr.frames(seg.Key, n) }
	finished := func(seg render.Segment, cached bool) { tr.finished(seg.Key, cached) }
	units := render.FirstFrameUnits(todo, enc)
	var rest [][]render.Segment // the units no fed run takes, their keyframes runs batched
	for i := 0; i < len(units); i++ {
		run := fedRun(units[i:])
		if run == nil {
			rest = append(rest, units[i])
			continue
		}
		i += len(run) - 1
		g.Go(func() error { // one ffmpeg for the run
			_, err := e.encodeRun(gctx, run, enc, frames, finished)
			return err
		})
	}
	for _, task := range e.unitTasks(ctx, rest, enc, par) {
		g.Go(func() error {
			made, err := e.keyframesBatched(gctx, task.runs)
			if err != nil {
				return err
			}
			for _, unit := range task.units {
				if _, err := e.encodeUnit(gctx, unit, enc, made, frames, finished); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	tr.setStage(StageFinalizing)
	size, err := e.Assemble(ctx, p, audioPath, job.Output)
	if err != nil {
		return nil, err
	}
	if job.Poster != "" {
		if err := e.Poster(ctx, p, job.Poster); err != nil {
			return nil, err
		}
	}
	res := &Result{Frames: p.Frames, Duration: p.Duration, Size: size, Warnings: p.Warnings, Cached: tr.cachedSegments()}
	e.log.Info("render assembled", zap.Int64("frames", p.Frames), zap.Int("segments", len(p.Segments)),
		zap.Int("cached_segments", res.Cached), zap.Int64("bytes", size), zap.Duration("took", time.Since(start)))
	return res, nil
}

// fileSize returns the size of path.
func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("engine: %w", err)
	}
	return fi.Size(), nil
}
