// Package servicetest builds a service.Service for tests over a throwaway SQLite database, a
// temporary data directory and a queue that only records: no ffmpeg, no Redis.
package servicetest

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
	"github.com/simvid/simvid/pkg/testutil"
)

// NoTool is an ffmpeg path that exists nowhere. Env's intake runs it, so a test that reached
// a tool fails rather than passes on a machine that happens to have ffmpeg; a test that
// needs real intake replaces Deps.Intake (and skips loudly without ffmpeg).
const NoTool = "/nonexistent/simvid-servicetest/ffmpeg"

// IntakeLimits are Env's intake limits: a megabyte a file, 10,000 pixels a picture.
var IntakeLimits = media.Limits{FileBytes: 1 << 20, ImagePixels: 100 * 100}

// Transitions stand for what a machine's ffmpeg offers.
var Transitions = []string{"fade", "wipeleft", "dissolve"}

// ErrQueueDown is what a failing Queue returns.
var ErrQueueDown = errors.New("queue: redis is down")

// Queue records what the service queued. With SetFail(true) every call fails, as a queue
// whose Redis is down does: the database record must stay the truth.
type Queue struct {
	mu                                            sync.Mutex
	fail                                          bool
	renders, audio, images, mixes, cancels, hooks []string
}

func (q *Queue) add(to *[]string, id string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.fail {
		return ErrQueueDown
	}
	*to = append(*to, id)
	return nil
}

func (q *Queue) read(of *[]string) []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]string(nil), *of...)
}

// SetFail makes every later call fail (true) or succeed again.
func (q *Queue) SetFail(v bool) {
	q.mu.Lock()
	q.fail = v
	q.mu.Unlock()
}

func (q *Queue) EnqueueRender(_ context.Context, id string) error { return q.add(&q.renders, id) }
func (q *Queue) EnqueuePrepareAudio(_ context.Context, id string) error {
	return q.add(&q.audio, id)
}
func (q *Queue) EnqueueFetchImage(_ context.Context, id string) error { return q.add(&q.images, id) }
func (q *Queue) EnqueueMixMusic(_ context.Context, id string) error   { return q.add(&q.mixes, id) }
func (q *Queue) Cancel(_ context.Context, id string) error            { return q.add(&q.cancels, id) }
func (q *Queue) EnqueueWebhook(_ context.Context, id string) error    { return q.add(&q.hooks, id) }

// Renders, Audio, Images, Mixes, Cancels and Webhooks return the ids queued so far, in order.
func (q *Queue) Renders() []string  { return q.read(&q.renders) }
func (q *Queue) Audio() []string    { return q.read(&q.audio) }
func (q *Queue) Images() []string   { return q.read(&q.images) }
func (q *Queue) Mixes() []string    { return q.read(&q.mixes) }
func (q *Queue) Cancels() []string  { return q.read(&q.cancels) }
func (q *Queue) Webhooks() []string { return q.read(&q.hooks) }

// RealIntake gives an Env an intake over the ffmpeg on PATH, for the few tests that need a
// picture or a sound taken in; it skips the test loudly (fails under make test) without it.
func RealIntake(t testing.TB) func(*service.Deps) {
	t.Helper()
	testutil.Need(t, "ffmpeg", "ffprobe")
	return func(d *service.Deps) {
		d.Intake = media.NewIntake(ffmpeg.New("", "", zap.NewNop()), d.Files, IntakeLimits, zap.NewNop())
	}
}

// Env is one service with what it works over.
type Env struct {
	Service *service.Service
	Store   store.Store
	Files   *media.Files
	Queue   *Queue

	mu   sync.Mutex
	gone []string
}

// New builds a service whose Deps change adjusts (limits, TTL, lock, a wrapped store) before
// service.New. Its defaults: 10 pictures a project, 2 unfinished renders a client, 3 files a
// request, 10 slides and 120 s a render.
func New(t testing.TB, change ...func(*service.Deps)) *Env {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), "", dir, zap.NewNop())
	if err != nil {
		t.Fatalf("servicetest: open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	files, err := media.NewFiles(dir)
	if err != nil {
		t.Fatalf("servicetest: media files: %v", err)
	}
	e := &Env{Store: st, Files: files, Queue: &Queue{}}
	d := service.Deps{
		Store: st, Files: files, Queue: e.Queue, Transitions: Transitions, Log: zap.NewNop(),
		Intake: media.NewIntake(ffmpeg.New(NoTool, NoTool, zap.NewNop()), files, IntakeLimits, zap.NewNop()),
		Limits: service.Limits{ImagesPerProject: 10, UnfinishedRenders: 2, FilesPerRequest: 3,
			Spec: simvid.Limits{MaxSlides: 10, MaxVideoLength: 120}},
		NotifyGone: func(_ context.Context, id string) {
			e.mu.Lock()
			e.gone = append(e.gone, id)
			e.mu.Unlock()
		},
	}
	for _, c := range change {
		c(&d)
	}
	e.Service = service.New(d)
	return e
}

// Gone lists the projects NotifyGone was told of.
func (e *Env) Gone() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.gone...)
}

// Project makes an empty project through the service.
func (e *Env) Project(t testing.TB, owner string) *simvid.Project {
	t.Helper()
	p, err := e.Service.CreateProject(context.Background(), nil, owner)
	if err != nil {
		t.Fatalf("servicetest: create project: %v", err)
	}
	return p
}

// WithSlides records n pictures as intake would have (rows only, no files) and appends a
// slide for each; it returns the project after.
func (e *Env) WithSlides(t testing.TB, projectID string, n int) *simvid.Project {
	t.Helper()
	ctx := context.Background()
	var slides []simvid.Slide
	for range n {
		a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixImage), ProjectID: projectID, Kind: simvid.KindImage,
			State: simvid.AssetReady, OriginalName: "a.png", Size: 1000, Format: "png", Width: 64, Height: 36}
		if err := e.Store.CreateAsset(ctx, a); err != nil {
			t.Fatalf("servicetest: create asset: %v", err)
		}
		slides = append(slides, simvid.Slide{ID: simvid.NewID(simvid.PrefixSlide), Asset: a.ID})
	}
	p, err := e.Store.UpdateProject(ctx, projectID, func(p *simvid.Project) error {
		p.Spec.Slides = append(p.Spec.Slides, slides...)
		return nil
	})
	if err != nil {
		t.Fatalf("servicetest: add slides: %v", err)
	}
	return p
}

// WithMusic records a music asset of the given length in state and makes it the project's.
func (e *Env) WithMusic(t testing.TB, projectID string, seconds float64, state simvid.AssetState) *simvid.Asset {
	t.Helper()
	ctx := context.Background()
	a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixAudio), ProjectID: projectID, Kind: simvid.KindAudio,
		State: state, OriginalName: "song.mp3", Size: 5000, Format: "mp3", Duration: seconds}
	if state == simvid.AssetFailed {
		a.Error = "the file is damaged"
	}
	if err := e.Store.CreateAsset(ctx, a); err != nil {
		t.Fatalf("servicetest: create music: %v", err)
	}
	if _, err := e.Store.UpdateProject(ctx, projectID, func(p *simvid.Project) error {
		p.Spec.Audio = []simvid.AudioClip{{Asset: a.ID}}
		return nil
	}); err != nil {
		t.Fatalf("servicetest: set music: %v", err)
	}
	return a
}

// Stored reads a project back from the database, the truth after a call.
func (e *Env) Stored(t testing.TB, id string) *simvid.Project {
	t.Helper()
	p, err := e.Store.GetProject(context.Background(), id)
	if err != nil {
		t.Fatalf("servicetest: read project %s: %v", id, err)
	}
	return p
}

// Renders lists what the database holds of a project's renders, newest first.
func (e *Env) Renders(t testing.TB, projectID string) []*simvid.Render {
	t.Helper()
	rs, err := e.Store.ListRenders(context.Background(), simvid.RenderFilter{ProjectID: projectID})
	if err != nil {
		t.Fatalf("servicetest: list renders: %v", err)
	}
	return rs
}

// SetRenderState moves a render to state as a worker would.
func (e *Env) SetRenderState(t testing.TB, id string, state simvid.RenderState) {
	t.Helper()
	now := time.Now().UTC()
	if _, err := e.Store.UpdateRender(context.Background(), id, func(r *simvid.Render) error {
		r.State = state
		if state.Finished() {
			r.FinishedAt = &now
		}
		return nil
	}); err != nil {
		t.Fatalf("servicetest: set render state: %v", err)
	}
}

// Unchanged fails when a refused call changed the stored project since before was read.
func (e *Env) Unchanged(t testing.TB, before *simvid.Project) {
	t.Helper()
	after := e.Stored(t, before.ID)
	if !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("a refused call touched the project: updated_at %v -> %v", before.UpdatedAt, after.UpdatedAt)
	}
	if a, b := specJSON(t, after.Spec), specJSON(t, before.Spec); a != b {
		t.Errorf("a refused call changed the project:\nbefore %s\nafter  %s", b, a)
	}
}

func specJSON(t testing.TB, s simvid.Spec) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("servicetest: marshal spec: %v", err)
	}
	return string(b)
}
