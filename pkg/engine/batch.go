package engine

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/motion"
	"github.com/simvid/simvid/pkg/render"
)

// keyframeRun is one segment's keyframes run (FirstFrameArgs or EndFramesArgs), to be made
// in a batch: its argv alone, and the raw H.264 file it writes.
type keyframeRun struct {
	seg  render.Segment
	args []string
	raw  string
	w, h int // its stills' size

	stills []string       // its stills' files, in order (keyframesFed feeds them)
	enc    render.Encoder // its encoder
}

// keyframesAhead makes the keyframes runs that units (of render.FirstFrameUnits, made one
// after another) would start one by one in as few ffmpeg as their memory allows
// (render.BatchArgs, batchOf), and returns their streams by segment key, for
// bitstreamSegment. Only segments not in the cache go in, and not a hold that takes its first
// frame from its unit's fade. A batch that fails for another reason than ctx is left out
// (logged): its segments then make their own runs, whose errors name their slides.
func (e *Engine) keyframesAhead(ctx context.Context, units [][]render.Segment, enc render.Encoder) (map[string][]byte, error) {
	runs, err := e.keyframeRuns(ctx, units, enc)
	if err != nil {
		return nil, err
	}
	return e.keyframesBatched(ctx, runs)
}

// keyframesBatched is keyframesAhead of runs listed already (keyframeRuns). Runs that one x264
// can make (fedKeyframes) go to it first, and to batches only if it fails.
func (e *Engine) keyframesBatched(ctx context.Context, runs []keyframeRun) (map[string][]byte, error) {
	if len(runs) < 2 {
		return nil, nil
	}
	if e.fedKeyframes(runs) {
		if made, ok, err := e.keyframesFed(ctx, runs); ok || err != nil {
			return made, err
		}
	}
	budget := e.batchBudget()
	made := map[string][]byte{}
	for len(runs) > 0 {
		batch := runs[:batchOf(runs, budget)]
		runs = runs[len(batch):]
		if len(batch) < 2 {
			continue // alone it runs as it always has
		}
		if err := e.keyframesBatch(ctx, batch, made); err != nil {
			return nil, err
		}
	}
	return made, nil
}

// An ffmpeg frees no encoder, graph or input before it exits, so a batch of keyframes runs
// takes the memory of all of them at once. Measured with ffmpeg 5.1 (maximum RSS of
// EndFramesArgs' and FirstFrameArgs' argv and of their batches, 1080p corpus stills, the
// standard encoder, Threads 1): an ffmpeg on its own 55 MB (most of it Debian's shared
// libraries), each fade's output 52 MB more (x264 21, the two stills, their 4:4:4 round trip
// and the blend 31), each hold's 30 MB: about 25 and 15 bytes a pixel.
const (
	batchBase         = 55 << 20
	fadeBytesPerPixel = 25
	holdBytesPerPixel = 15
	// batchMemory is what one batch may take. Two slots encode at once (a render's, or a
	// worker's two video slots), beside simvid and the poster's or the music's ffmpeg, and
	// the cold render's summed peak must stay under 300 MB: two batches of 130 MB at most.
	// That batches three fades at 1280x720 and seven at 854x480, and no two fades at
	// 1920x1080 (155 MB): measured with 160 MB here (two 1080p fades a batch), `simvid
	// render` of the 12-picture bench show took 6 keyframes runs instead of 12 and 0.86x the
	// CPU, but its summed peak went from 139 MiB for the largest process to 2 x 152 MiB
	// (335 MB summed, the server's cold render 344 MB).
	batchMemory = 130 << 20
)

// batchBudget is the memory one batch may take here (batchMem, else batchMemory).
func (e *Engine) batchBudget() int64 {
	if e.batchMem > 0 {
		return e.batchMem
	}
	return batchMemory
}

// batchOf is how many of runs, from the first, one ffmpeg makes within budget bytes: at
// least one.
func batchOf(runs []keyframeRun, budget int64) int {
	mem := int64(batchBase)
	for i, r := range runs {
		per := int64(holdBytesPerPixel)
		if len(r.seg.Stills) == 2 {
			per = fadeBytesPerPixel
		}
		mem += per * int64(r.w) * int64(r.h)
		if mem > budget {
			return max(1, i)
		}
	}
	return len(runs)
}

// unitTask is a slot's share of a render's units (unitTasks) and the keyframes runs they start.
type unitTask struct {
	units [][]render.Segment
	runs  []keyframeRun
}

// unitTasks cuts units into runs of units for the par slots of a render: each slot takes a
// run, makes its keyframes in one batch (keyframesAhead) and then its units. A run holds
// consecutive units whose keyframes runs fit one batch's memory (any number, when one x264
// makes them all: fedKeyframes), and at most its share of them all, so that every slot has work; a unit without a keyframes run is a run of its own.
// Each task carries its keyframes runs, listed once here (keyframesBatched makes them).
func (e *Engine) unitTasks(ctx context.Context, units [][]render.Segment, enc render.Encoder, par int) []unitTask {
	budget := e.batchBudget()
	per := make([][]keyframeRun, len(units))
	total := 0
	for i, u := range units {
		per[i], _ = e.keyframeRuns(ctx, [][]render.Segment{u}, enc)
		total += len(per[i])
	}
	share := max(1, (total+max(1, par)-1)/max(1, par))
	var tasks []unitTask
	var cur unitTask
	for i, u := range units {
		if len(per[i]) == 0 {
			tasks = append(tasks, unitTask{units: [][]render.Segment{u}})
			continue
		}
		if len(cur.units) > 0 {
			next := append(cur.runs[:len(cur.runs):len(cur.runs)], per[i]...)
			if len(next) > share || (!e.fedKeyframes(next) && batchOf(next, budget) < len(next)) {
				tasks, cur = append(tasks, cur), unitTask{}
			}
		}
		cur.units, cur.runs = append(cur.units, u), append(cur.runs, per[i]...)
	}
	if len(cur.units) > 0 {
		tasks = append(tasks, cur)
	}
	return tasks
}

// keyframeRuns lists the keyframes runs units would start, in order (see keyframesAhead).
func (e *Engine) keyframeRuns(ctx context.Context, units [][]render.Segment, enc render.Encoder) ([]keyframeRun, error) {
	if err := os.MkdirAll(e.tmp, 0o755); err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	var runs []keyframeRun
	for _, unit := range units {
		fadeMade := false // the unit's fade is made here: its holds take its first frame
		for i, sg := range unit {
			m := sg.Making(enc)
			if sg.Kind == render.KindClip || moving(sg) || m == render.Encoded || e.Stored(ctx, e.SegmentPath(sg.Key)) {
				continue
			}
			if i > 0 && fadeMade && render.SharesFirstFrame(sg, unit[0], enc) {
				continue
			}
			stills, ok := e.localStills(ctx, sg)
			if !ok {
				continue // its own run says what is missing
			}
			w, h, err := stillSize(stills[0])
			if err != nil {
				continue
			}
			ends := render.FirstFrameArgs
			if m == render.Dissolved {
				ends = render.EndFramesArgs
				fadeMade = i == 0
			}
			raw := e.tmpPath("keyframes-", ".h264")
			runs = append(runs, keyframeRun{seg: sg, args: ends(sg, stills, raw, enc), raw: raw, w: w, h: h, stills: stills, enc: enc})
		}
	}
	return runs, nil
}

// localStills returns the paths of sg's stills when every one is here (fetched from a store).
func (e *Engine) localStills(ctx context.Context, sg render.Segment) ([]string, bool) {
	stills := make([]string, len(sg.Stills))
	for i, k := range sg.Stills {
		stills[i] = e.StillPath(k)
		if e.local(ctx, stills[i]) != nil {
			return nil, false
		}
	}
	return stills, true
}

// keyframesBatch runs batch in one ffmpeg and puts each stream into made. Only a cancelled
// ctx is an error.
func (e *Engine) keyframesBatch(ctx context.Context, batch []keyframeRun, made map[string][]byte) error {
	argvs := make([][]string, len(batch))
	for i, r := range batch {
		argvs[i] = r.args
		defer os.Remove(r.raw)
	}
	args, err := render.BatchArgs(argvs)
	if err == nil {
		err = e.ff.As(ffmpeg.KindKeyframes).Run(ctx, args, nil)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		e.log.Warn("a batch of keyframes runs failed; its segments run alone", zap.Int("runs", len(batch)),
			zap.Int("first_segment", batch[0].seg.Index), zap.Error(err))
		return nil
	}
	for _, r := range batch {
		if b, err := os.ReadFile(r.raw); err == nil {
			made[r.seg.Key] = b
		}
	}
	return nil
}

// stillSize reads the size of a still from its YUV4MPEG header.
func stillSize(path string) (w, h int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, fmt.Errorf("engine: %w", err)
	}
	defer f.Close()
	var head [128]byte
	n, _ := io.ReadFull(f, head[:])
	line, _, _ := strings.Cut(string(head[:n]), "\n")
	w, h, _, ok := motion.Y4MHeader(line)
	if !ok {
		return 0, 0, fmt.Errorf("engine: %s: not a YUV4MPEG still", filepath.Base(path))
	}
	return w, h, nil
}
