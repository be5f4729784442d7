package service_test

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

// The fast tests run the service over a temporary SQLite database, a temporary data
// directory and a queue that only records: no ffmpeg, no Redis. Their intake points at an
// ffmpeg that does not exist, so a test that reached a tool would fail rather than pass on a
// machine that happens to have one; the few that need real intake say so (testutil.Need).

// noTool is an ffmpeg path that exists nowhere.
const noTool = "/nonexistent/simvid-fast-test/ffmpeg"

// fakeQueue records what the service queued. With fail set every call fails, as a queue
// whose Redis is down does: the database record must stay the truth.
type fakeQueue struct {
	mu       sync.Mutex
	fail     bool
	renders  []string
	audio    []string
	images   []string
	mixes    []string
	cancels  []string
	webhooks []string
}

var errQueueDown = errors.New("queue: redis is down")

func (q *fakeQueue) add(to *[]string, id string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.fail {
		return errQueueDown
	}
	*to = append(*to, id)
	return nil
}

func (q *fakeQueue) EnqueueRender(_ context.Context, id string) error { return q.add(&q.renders, id) }
func (q *fakeQueue) EnqueuePrepareAudio(_ context.Context, id string) error {
	return q.add(&q.audio, id)
}
func (q *fakeQueue) EnqueueFetchImage(_ context.Context, id string) error {
	return q.add(&q.images, id)
}
func (q *fakeQueue) EnqueueMixMusic(_ context.Context, id string) error { return q.add(&q.mixes, id) }
func (q *fakeQueue) Cancel(_ context.Context, id string) error          { return q.add(&q.cancels, id) }
func (q *fakeQueue) EnqueueWebhook(_ context.Context, id string) error  { return q.add(&q.webhooks, id) }

func (q *fakeQueue) setFail(v bool) {
	q.mu.Lock()
	q.fail = v
	q.mu.Unlock()
}

// list returns a copy of one record, read under the lock.
func (q *fakeQueue) list(of *[]string) []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]string(nil), *of...)
}

// intakeLimits: a megabyte a file, 10,000 pixels a picture.
var intakeLimits = media.Limits{FileBytes: 1 << 20, ImagePixels: 100 * 100}

// realIntake gives a fixture an intake over the ffmpeg on PATH, for the tests that need one.
func realIntake(t *testing.T) func(*service.Deps) {
	testutil.Need(t, "ffmpeg", "ffprobe")
	return func(d *service.Deps) {
		d.Intake = media.NewIntake(ffmpeg.New("", "", zap.NewNop()), d.Files, intakeLimits, zap.NewNop())
	}
}

// fixture is one service with everything it works over.
type fixture struct {
	svc   *service.Service
	store store.Store
	files *media.Files
	queue *fakeQueue
	gone  []string // projects NotifyGone was told of
}

// transitions stands for what a machine's ffmpeg offers.
var transitions = []string{"fade", "wipeleft", "dissolve"}

// newFixture builds a service; change adjusts its Deps (limits, TTL, lock) before New.
func newFixture(t *testing.T, change ...func(*service.Deps)) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, "", dir, zap.NewNop())
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	files, err := media.NewFiles(dir)
	if err != nil {
		t.Fatalf("media files: %v", err)
	}
	f := &fixture{store: st, files: files, queue: &fakeQueue{}}
	d := service.Deps{
		Store: st, Files: files, Queue: f.queue, Transitions: transitions, Log: zap.NewNop(),
		Intake: media.NewIntake(ffmpeg.New(noTool, noTool, zap.NewNop()), files, intakeLimits, zap.NewNop()),
		Limits: service.Limits{ImagesPerProject: 10, UnfinishedRenders: 2, FilesPerRequest: 3,
			Spec: simvid.Limits{MaxSlides: 10, MaxVideoLength: 120}},
		NotifyGone: func(_ context.Context, id string) { f.gone = append(f.gone, id) },
	}
	for _, c := range change {
		c(&d)
	}
	f.svc = service.New(d)
	return f
}

// project makes an empty project through the service.
func (f *fixture) project(t *testing.T, owner string) *simvid.Project {
	t.Helper()
	p, err := f.svc.CreateProject(context.Background(), nil, owner)
	if err != nil {
		t.Fatalf("create project: %v", err)
	}
	return p
}

// withSlides records n pictures as intake would have (rows only: no test here reads their
// files) and appends a slide for each; it returns the project after.
func (f *fixture) withSlides(t *testing.T, projectID string, n int) *simvid.Project {
	t.Helper()
	ctx := context.Background()
	var slides []simvid.Slide
	for range n {
		a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixImage), ProjectID: projectID, Kind: simvid.KindImage,
			State: simvid.AssetReady, OriginalName: "a.png", Size: 1000, Format: "png", Width: 64, Height: 36}
		if err := f.store.CreateAsset(ctx, a); err != nil {
			t.Fatalf("create asset: %v", err)
		}
		slides = append(slides, simvid.Slide{ID: simvid.NewID(simvid.PrefixSlide), Asset: a.ID})
	}
	p, err := f.store.UpdateProject(ctx, projectID, func(p *simvid.Project) error {
		p.Spec.Slides = append(p.Spec.Slides, slides...)
		return nil
	})
	if err != nil {
		t.Fatalf("add slides: %v", err)
	}
	return p
}

// withMusic records a music asset of the given length in state and makes it the project's.
func (f *fixture) withMusic(t *testing.T, projectID string, seconds float64, state simvid.AssetState) *simvid.Asset {
	t.Helper()
	ctx := context.Background()
	a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixAudio), ProjectID: projectID, Kind: simvid.KindAudio,
		State: state, OriginalName: "song.mp3", Size: 5000, Format: "mp3", Duration: seconds}
	if state == simvid.AssetFailed {
		a.Error = "the file is damaged"
	}
	if err := f.store.CreateAsset(ctx, a); err != nil {
		t.Fatalf("create music: %v", err)
	}
	if _, err := f.store.UpdateProject(ctx, projectID, func(p *simvid.Project) error {
		p.Spec.Audio = []simvid.AudioClip{{Asset: a.ID}}
		return nil
	}); err != nil {
		t.Fatalf("set music: %v", err)
	}
	return a
}

// stored reads a project back from the database, the truth after a call.
func (f *fixture) stored(t *testing.T, id string) *simvid.Project {
	t.Helper()
	p, err := f.store.GetProject(context.Background(), id)
	if err != nil {
		t.Fatalf("read project %s: %v", id, err)
	}
	return p
}

// renders lists what the database holds of a project's renders.
func (f *fixture) renders(t *testing.T, projectID string) []*simvid.Render {
	t.Helper()
	rs, err := f.store.ListRenders(context.Background(), simvid.RenderFilter{ProjectID: projectID})
	if err != nil {
		t.Fatalf("list renders: %v", err)
	}
	return rs
}

// setRenderState moves a render to state as a worker would.
func (f *fixture) setRenderState(t *testing.T, id string, state simvid.RenderState) {
	t.Helper()
	now := time.Now().UTC()
	if _, err := f.store.UpdateRender(context.Background(), id, func(r *simvid.Render) error {
		r.State = state
		if state.Finished() {
			r.FinishedAt = &now
		}
		return nil
	}); err != nil {
		t.Fatalf("set render state: %v", err)
	}
}

// wantCode fails unless err carries code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if !simvid.IsCode(err, code) {
		t.Fatalf("error %v (code %q); want code %q", err, simvid.ErrorCode(err), code)
	}
}

// slideIDs lists a spec's slide ids in order.
func slideIDs(p *simvid.Project) []string {
	ids := make([]string, len(p.Spec.Slides))
	for i, sl := range p.Spec.Slides {
		ids[i] = sl.ID
	}
	return ids
}

// unchanged fails when a call that was refused changed the stored project.
func (f *fixture) unchanged(t *testing.T, before *simvid.Project) {
	t.Helper()
	after := f.stored(t, before.ID)
	if !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("a refused call touched the project: updated_at %v -> %v", before.UpdatedAt, after.UpdatedAt)
	}
	if a, b := specJSON(t, after.Spec), specJSON(t, before.Spec); a != b {
		t.Errorf("a refused call changed the project:\nbefore %s\nafter  %s", b, a)
	}
}

func specJSON(t *testing.T, s simvid.Spec) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("marshal spec: %v", err)
	}
	return string(b)
}
