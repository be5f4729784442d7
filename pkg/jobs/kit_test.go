package jobs

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gocraft/work"
	"github.com/gomodule/redigo/redis"
	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/engine"
	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
	"github.com/simvid/simvid/pkg/testutil"
)

// renderKit is a project with real pictures, a render record of it, and what workers share:
// Redis, the database and the data directory.
type renderKit struct {
	t      *testing.T
	ctx    context.Context
	pool   *redis.Pool
	store  store.Store
	media  *media.Files
	ff     *ffmpeg.Runner
	render *simvid.Render
	assets []*simvid.Asset
}

// newRenderKit makes n 320x240 pictures of different colours, slides of secs seconds with
// 0.5 s fades, and a queued render of them.
func newRenderKit(t *testing.T, n int, secs float64) *renderKit {
	t.Helper()
	testutil.Need(t, "ffmpeg", "ffprobe")
	ctx := context.Background()
	dir := t.TempDir()
	log := zaptest.NewLogger(t)
	st, err := store.Open(ctx, "", dir, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ms, err := media.NewFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	k := &renderKit{t: t, ctx: ctx, pool: testPool(t), store: st, media: ms, ff: ffmpeg.New("", "", log)}
	p := &simvid.Project{ID: simvid.NewID(simvid.PrefixProject)}
	if err := st.CreateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	var spec simvid.Spec
	for i := 0; i < n; i++ {
		a := k.picture(p.ID, fmt.Sprintf("0x%02x%02x%02x", 40+i*50%200, 200-i*30%180, i*70%255))
		spec.Slides = append(spec.Slides, simvid.Slide{Asset: a.ID, Duration: secs})
	}
	spec.Output = simvid.Output{Resolution: "640x480", FPS: 30, Quality: "draft"}
	spec.Transition = simvid.TransitionSpec{Name: "fade", Duration: 0.5}
	spec.Normalize()
	k.render = &simvid.Render{ID: simvid.NewID(simvid.PrefixRender), ProjectID: p.ID, Spec: spec, State: simvid.StateQueued}
	if err := st.CreateRender(ctx, k.render); err != nil {
		t.Fatal(err)
	}
	return k
}

// picture adds an image asset of one colour to the project.
func (k *renderKit) picture(projectID, color string) *simvid.Asset {
	k.t.Helper()
	a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixImage), ProjectID: projectID, Kind: simvid.KindImage,
		State: simvid.AssetReady, SHA256: "sha-" + color, Width: 320, Height: 240, Orientation: 1, Format: "png"}
	orig, err := k.media.Original(projectID, a.ID)
	if err != nil {
		k.t.Fatal(err)
	}
	_ = os.MkdirAll(filepath.Dir(orig), 0o755)
	if err := os.Rename(testutil.Image(k.t, k.t.TempDir(), "p.png", 320, 240, color), orig); err != nil {
		k.t.Fatal(err)
	}
	if err := k.store.CreateAsset(k.ctx, a); err != nil {
		k.t.Fatal(err)
	}
	k.assets = append(k.assets, a)
	return a
}

// encodeLog records which worker encoded which group, and every assembly.
type encodeLog struct {
	mu        sync.Mutex
	groups    map[string][]string // group key -> worker names
	assembled int
	segments  int // segments encoded (not found in the cache)
}

// worker returns a worker named name on the kit's shared Redis, database and data directory
// with slots video jobs at once; its pool is not started.
func (k *renderKit) worker(name string, slots int, l *encodeLog) *Worker {
	return k.workerOn(name, slots, l, k.media)
}

// workerOn is worker over files of its own (a host with its own data directory).
func (k *renderKit) workerOn(name string, slots int, l *encodeLog, files *media.Files) *Worker {
	k.t.Helper()
	log := zaptest.NewLogger(k.t).Named(name)
	eng := engine.New(k.ff, files.CacheDir(), files.TmpDir(), log)
	if files.Shared() {
		eng.WithShared(files)
	}
	w, err := NewWorker(Deps{Pool: k.pool, Store: k.store, Media: files, Engine: eng, FFmpegVersion: "test", Log: log,
		Opts: Options{MaxAttempts: 3, Backoff: time.Second, RenderTimeout: time.Minute, LeaseTTL: 600 * time.Millisecond,
			ReconcileInterval: time.Hour, MusicWait: time.Second, Parallel: 1, GroupCost: 0.3}},
		map[string]int{QueueVideo: slots})
	if err != nil {
		k.t.Fatal(err)
	}
	w.id = name
	w.testHooks = testHooks{
		assembling: func(string) { l.mu.Lock(); l.assembled++; l.mu.Unlock() },
		groupEncoded: func(_ string, g render.Group, n int) {
			l.mu.Lock()
			l.groups[g.Key] = append(l.groups[g.Key], name)
			l.segments += n
			l.mu.Unlock()
		},
	}
	return w
}

// plan plans the kit's render as the workers do.
func (k *renderKit) plan(w *Worker) (*render.Plan, []render.Group) {
	k.t.Helper()
	r, err := k.store.GetRender(k.ctx, k.render.ID)
	if err != nil {
		k.t.Fatal(err)
	}
	in, _, err := w.gatherInputs(k.ctx, r, w.assetAsIs)
	if err != nil {
		k.t.Fatal(err)
	}
	p, err := render.NewPlan(in)
	if err != nil {
		k.t.Fatal(err)
	}
	return p, p.Groups(w.Opts.GroupCost)
}

func renderArgs(id string) *work.Job {
	return &work.Job{Name: JobRender, ID: "r-" + id, Args: map[string]any{"render_id": id, "v": PayloadVersion}}
}

func segmentArgs(id string, g render.Group) *work.Job {
	return &work.Job{Name: JobSegment, ID: fmt.Sprintf("s-%d", g.Index),
		Args: map[string]any{"render_id": id, "group": float64(g.Index), "key": g.Key, "v": PayloadVersion}}
}

// checkOutput probes the render's video: the planned frames and duration, a clean decode.
func (k *renderKit) checkOutput(plan *render.Plan) {
	k.t.Helper()
	r, err := k.store.GetRender(k.ctx, k.render.ID)
	if err != nil {
		k.t.Fatal(err)
	}
	if r.State != simvid.StateDone {
		k.t.Fatalf("render is %s (%s: %s)", r.State, r.Error, r.ErrorDetail)
	}
	out, _ := k.media.RenderVideo(r.ProjectID, r.ID)
	k.checkVideo(plan, out)
}

// checkVideo probes a render's video file: the planned frames and duration, a clean decode.
func (k *renderKit) checkVideo(plan *render.Plan, out string) {
	k.t.Helper()
	pr := testutil.Probe(k.t, out)
	v := pr.Video()
	if a := pr.Audio(); plan.Audio != nil && (a == nil || math.Abs(a.Seconds()-plan.Duration) > 1/float64(plan.FPS)) {
		k.t.Errorf("audio %+v, want %.3f s", a, plan.Duration)
	}
	if v == nil || v.Frames() != plan.Frames {
		k.t.Fatalf("video %+v, want %d frames", v, plan.Frames)
	}
	if d := v.Seconds(); d < plan.Duration-0.001 || d > plan.Duration+0.001 {
		k.t.Errorf("video lasts %.4f s, want %.4f", d, plan.Duration)
	}
	if msg := testutil.DecodeErrors(k.t, out); msg != "" {
		k.t.Errorf("decoding complains: %s", msg)
	}
}

// waitDone waits for the render to finish and returns the progress the record showed on
// the way, one sample every 50 ms.
func (k *renderKit) waitDone(limit time.Duration) []simvid.Render {
	k.t.Helper()
	var seen []simvid.Render
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		r, err := k.store.GetRender(k.ctx, k.render.ID)
		if err == nil {
			seen = append(seen, *r)
			if r.State.Finished() {
				return seen
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	k.t.Fatalf("render not finished after %s", limit)
	return nil
}

// music adds a ready music asset (a tone of the given frequency) to the project.
func (k *renderKit) music(freq int, seconds float64) *simvid.Asset {
	k.t.Helper()
	pid := k.render.ProjectID
	a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixAudio), ProjectID: pid, Kind: simvid.KindAudio,
		State: simvid.AssetReady, SHA256: fmt.Sprintf("tone-%d", freq), Duration: seconds, Format: "flac"}
	work, err := k.media.AudioWork(pid, a.ID)
	if err != nil {
		k.t.Fatal(err)
	}
	_ = os.MkdirAll(filepath.Dir(work), 0o755)
	src := filepath.Join(k.t.TempDir(), "m.flac")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i",
		fmt.Sprintf("sine=f=%d:r=48000:d=%g", freq, seconds), "-ac", "2", "-c:a", "flac", src).CombinedOutput(); err != nil {
		k.t.Fatalf("ffmpeg: %v %s", err, out)
	}
	if err := os.Rename(src, work); err != nil {
		k.t.Fatal(err)
	}
	if err := k.store.CreateAsset(k.ctx, a); err != nil {
		k.t.Fatal(err)
	}
	return a
}

// rerender makes a new queued render of the project with the spec changed by edit.
func (k *renderKit) rerender(edit func(*simvid.Spec)) {
	k.t.Helper()
	spec := k.render.Spec
	spec.Slides = append([]simvid.Slide(nil), spec.Slides...)
	edit(&spec)
	spec.Normalize()
	k.render = &simvid.Render{ID: simvid.NewID(simvid.PrefixRender), ProjectID: k.render.ProjectID, Spec: spec, State: simvid.StateQueued}
	if err := k.store.CreateRender(k.ctx, k.render); err != nil {
		k.t.Fatal(err)
	}
}
