package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/service/servicetest"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

func TestStartRender(t *testing.T) {
	ctx, f, p := begin(t)

	_, err := f.Service.StartRender(ctx, p.ID, "1.2.3.4", "", "")
	wantCode(t, err, simvid.EConflict) // no pictures yet
	_, err = f.Service.StartRender(ctx, "prj_nope", "1.2.3.4", "", "")
	wantCode(t, err, simvid.ENotFound)

	p = f.WithSlides(t, p.ID, 2)
	time.Sleep(2 * time.Millisecond)
	r, err := f.Service.StartRender(ctx, p.ID, "1.2.3.4", "https://example.com/hook", "https://simvid.example")
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Store.GetRender(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != simvid.StateQueued || got.ProjectID != p.ID || got.Client != "1.2.3.4" ||
		got.CallbackURL != "https://example.com/hook" || got.LinkBase != "https://simvid.example" {
		t.Errorf("stored render %+v", got)
	}
	if !slices.Equal(slideIDs(&simvid.Project{Spec: got.Spec}), slideIDs(p)) {
		t.Errorf("the render froze slides %v; want %v", got.Spec.Slides, p.Spec.Slides)
	}
	if q := f.Queue.Renders(); !slices.Equal(q, []string{r.ID}) {
		t.Errorf("queued %v; want [%s]", q, r.ID)
	}
	if after := f.Stored(t, p.ID); !after.UpdatedAt.After(p.UpdatedAt) {
		t.Errorf("the project was not touched: %v -> %v", p.UpdatedAt, after.UpdatedAt)
	}

	// The render froze the spec: a later change of the project does not reach it.
	if _, err := f.Service.UpdateSettings(ctx, p.ID, &service.Settings{Defaults: json.RawMessage(`{"duration":9}`)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Store.GetRender(ctx, r.ID); got.Spec.Defaults.Duration == 9 {
		t.Error("the render's spec changed with the project's")
	}
}

// A spec that cannot be rendered as it stands (here: longer than the limit, after the
// limit was lowered under the project) is refused, and nothing is recorded or queued.
func TestStartRenderValidates(t *testing.T) {
	ctx, f, p := begin(t, func(d *service.Deps) { d.Limits.Spec.MaxVideoLength = 5 })
	p = f.WithSlides(t, p.ID, 3) // 3 slides of 3 s: 9 s
	_, err := f.Service.StartRender(ctx, p.ID, "1.2.3.4", "", "")
	wantCode(t, err, simvid.ETooLarge)
	_, err = f.Service.StartPreview(ctx, p.ID, "1.2.3.4")
	wantCode(t, err, simvid.ETooLarge)

	f2 := servicetest.New(t)
	p2 := f2.WithSlides(t, f2.Project(t, "").ID, 1)
	f2.WithMusic(t, p2.ID, 30, simvid.AssetFailed)
	_, err = f2.Service.StartRender(ctx, p2.ID, "1.2.3.4", "", "")
	wantCode(t, err, simvid.EConflict) // the music could not be prepared

	for _, fx := range []*servicetest.Env{f, f2} {
		if q := fx.Queue.Renders(); len(q) != 0 {
			t.Errorf("refused renders were queued: %v", q)
		}
	}
	if n := len(f.Renders(t, p.ID)) + len(f2.Renders(t, p2.ID)); n != 0 {
		t.Errorf("refused renders were recorded: %d", n)
	}
}

// A queue that is down does not lose a render: it is recorded queued, and the reconciler
// enqueues it once the queue is back.
func TestStartRenderQueueDown(t *testing.T) {
	t.Parallel()
	f := servicetest.New(t)
	p := f.WithSlides(t, f.Project(t, "").ID, 1)
	f.Queue.SetFail(true)
	r, err := f.Service.StartRender(context.Background(), p.ID, "1.2.3.4", "", "")
	if err != nil {
		t.Fatalf("a queue that is down failed the request: %v", err)
	}
	rs := f.Renders(t, p.ID)
	if len(rs) != 1 || rs[0].ID != r.ID || rs[0].State != simvid.StateQueued {
		t.Errorf("stored renders %v; want %s queued", rs, r.ID)
	}
}

func TestUnfinishedRenderCap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := servicetest.New(t) // 2 unfinished renders per client
	p := f.WithSlides(t, f.Project(t, "").ID, 1)
	first, err := f.Service.StartRender(ctx, p.ID, "1.2.3.4", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.StartPreview(ctx, p.ID, "1.2.3.4"); err != nil {
		t.Fatal(err)
	}
	_, err = f.Service.StartRender(ctx, p.ID, "1.2.3.4", "", "")
	wantCode(t, err, simvid.ERateLimited)
	// Another client, and the admin, are not counted against this one.
	if _, err := f.Service.StartRender(ctx, p.ID, "5.6.7.8", "", ""); err != nil {
		t.Errorf("another client: %v", err)
	}
	if _, err := f.Service.StartRender(ctx, p.ID, service.AdminClient, "", ""); err != nil {
		t.Errorf("the admin: %v", err)
	}
	// A finished render frees its place.
	f.SetRenderState(t, first.ID, simvid.StateDone)
	if _, err := f.Service.StartRender(ctx, p.ID, "1.2.3.4", "", ""); err != nil {
		t.Errorf("after one finished: %v", err)
	}
	if n := len(f.Renders(t, p.ID)); n != 5 {
		t.Errorf("%d renders recorded; want 5", n)
	}
}

// slowCount is a store whose render count takes a while, so that concurrent starts would
// all count before any inserts, were the count and the insert not one step.
type slowCount struct{ store.Store }

func (s slowCount) CountRenders(ctx context.Context, f simvid.RenderFilter) (int, error) {
	time.Sleep(20 * time.Millisecond)
	return s.Store.CountRenders(ctx, f)
}

// Concurrent starts of one client pass the count one at a time (the local lock): exactly
// the cap is recorded, the rest refused.
func TestUnfinishedRenderCapConcurrent(t *testing.T) {
	ctx, f, p := begin(t, func(d *service.Deps) { d.Store = slowCount{d.Store} })
	p = f.WithSlides(t, p.ID, 1)
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = f.Service.StartRender(ctx, p.ID, "9.9.9.9", "", "") })
	}
	wg.Wait()
	ok, limited := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case simvid.IsCode(err, simvid.ERateLimited):
			limited++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 2 || limited != n-2 {
		t.Errorf("%d started, %d refused; want 2 and %d", ok, limited, n-2)
	}
	if got := len(f.Renders(t, p.ID)); got != 2 {
		t.Errorf("%d renders recorded; want 2", got)
	}
}

// A client lock that cannot be taken refuses the render as unavailable, recording nothing.
func TestClientLockUnavailable(t *testing.T) {
	t.Parallel()
	f := servicetest.New(t, func(d *service.Deps) {
		d.ClientLock = func(context.Context, string) (func(), error) { return nil, errors.New("redis: i/o timeout") }
	})
	p := f.WithSlides(t, f.Project(t, "").ID, 1)
	_, err := f.Service.StartRender(context.Background(), p.ID, "1.2.3.4", "", "")
	wantCode(t, err, simvid.EUnavailable)
	if n := len(f.Renders(t, p.ID)); n != 0 {
		t.Errorf("%d renders recorded", n)
	}
}

func TestStartPreview(t *testing.T) {
	ctx, f, p := begin(t)
	_, err := f.Service.StartPreview(ctx, p.ID, "1.2.3.4")
	wantCode(t, err, simvid.EConflict)
	p = f.WithSlides(t, p.ID, 2)
	r, err := f.Service.StartPreview(ctx, p.ID, "1.2.3.4")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.Store.GetRender(ctx, r.ID)
	if !got.Spec.Output.IsPreview() || got.Spec.Output.Quality != "draft" || len(got.Spec.Slides) != 2 {
		t.Errorf("preview output %+v, %d slides", got.Spec.Output, len(got.Spec.Slides))
	}
	if f.Stored(t, p.ID).Spec.Output.IsPreview() {
		t.Error("a preview changed the project's own output")
	}
	if q := f.Queue.Renders(); !slices.Equal(q, []string{r.ID}) {
		t.Errorf("queued %v", q)
	}
}

func TestCancelRender(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := servicetest.New(t)
	p := f.WithSlides(t, f.Project(t, "key_1").ID, 1)
	r, err := f.Service.StartRender(ctx, p.ID, "key:key_1", "", "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Service.CancelRender(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := f.Store.GetRender(ctx, r.ID)
	if got.State != simvid.StateCanceled || stored.State != simvid.StateCanceled || stored.FinishedAt == nil || !stored.CancelAsked {
		t.Errorf("canceled render: returned %s, stored %+v", got.State, stored)
	}
	if q := f.Queue.Cancels(); !slices.Equal(q, []string{r.ID}) {
		t.Errorf("queue cancels %v", q)
	}
	// A key's project: the end of its render is announced once.
	if w := f.Queue.Webhooks(); !slices.Equal(w, []string{r.ID}) {
		t.Errorf("webhooks queued %v; want [%s]", w, r.ID)
	}

	// A running render is asked to stop; its worker records the end.
	r2, _ := f.Service.StartRender(ctx, p.ID, "key:key_1", "", "")
	f.SetRenderState(t, r2.ID, simvid.StateRendering)
	got, err = f.Service.CancelRender(ctx, r2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != simvid.StateRendering || !got.CancelAsked {
		t.Errorf("running render after cancel: %s, asked %v", got.State, got.CancelAsked)
	}

	for _, st := range []simvid.RenderState{simvid.StateDone, simvid.StateFailed} {
		f.SetRenderState(t, r2.ID, st)
		before, _ := f.Store.GetRender(ctx, r2.ID)
		_, err := f.Service.CancelRender(ctx, r2.ID)
		wantCode(t, err, simvid.EConflict)
		after, _ := f.Store.GetRender(ctx, r2.ID)
		if after.State != st || !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("a refused cancel changed a %s render: %s", st, after.State)
		}
	}
	_, err = f.Service.CancelRender(ctx, r.ID) // canceled already
	wantCode(t, err, simvid.EConflict)
	_, err = f.Service.CancelRender(ctx, simvid.NewID(simvid.PrefixRender))
	wantCode(t, err, simvid.ENotFound)
	_, err = f.Service.CancelRender(ctx, p.ID)
	wantCode(t, err, simvid.ENotFound)
}

func TestRetryRender(t *testing.T) {
	ctx, f, p := begin(t)
	p = f.WithSlides(t, p.ID, 1)
	old, err := f.Service.StartRender(ctx, p.ID, "1.2.3.4", "https://example.com/hook", "https://simvid.example")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Service.RetryRender(ctx, old.ID)
	wantCode(t, err, simvid.EConflict) // still queued

	f.SetRenderState(t, old.ID, simvid.StateFailed)
	p = f.WithSlides(t, p.ID, 1) // the project changed since: the retry runs the old spec
	time.Sleep(2 * time.Millisecond)
	r, err := f.Service.RetryRender(ctx, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.Store.GetRender(ctx, r.ID)
	if r.ID == old.ID || got.State != simvid.StateQueued || got.Client != service.AdminClient ||
		got.CallbackURL != "https://example.com/hook" || got.LinkBase != "https://simvid.example" || len(got.Spec.Slides) != 1 {
		t.Errorf("retry %+v", got)
	}
	if prev, _ := f.Store.GetRender(ctx, old.ID); prev.State != simvid.StateFailed {
		t.Errorf("the old render's history changed: %s", prev.State)
	}
	if q := f.Queue.Renders(); !slices.Equal(q, []string{old.ID, r.ID}) {
		t.Errorf("queued %v", q)
	}
	if after := f.Stored(t, p.ID); !after.UpdatedAt.After(p.UpdatedAt) {
		t.Error("a retry did not touch the project")
	}
	_, err = f.Service.RetryRender(ctx, "ren_nope")
	wantCode(t, err, simvid.ENotFound)
}

func TestRequeueRender(t *testing.T) {
	ctx, f, p := begin(t)
	p = f.WithSlides(t, p.ID, 1)
	r, _ := f.Service.StartRender(ctx, p.ID, "1.2.3.4", "", "")

	for _, st := range []simvid.RenderState{simvid.StateQueued, simvid.StateRendering, simvid.StateDone, simvid.StateCanceled} {
		f.SetRenderState(t, r.ID, st)
		_, err := f.Service.RequeueRender(ctx, r.ID)
		wantCode(t, err, simvid.EConflict)
		if got, _ := f.Store.GetRender(ctx, r.ID); got.State != st {
			t.Errorf("a refused requeue of a %s render left it %s", st, got.State)
		}
	}
	f.SetRenderState(t, r.ID, simvid.StateFailed)
	got, err := f.Service.RequeueRender(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := f.Store.GetRender(ctx, r.ID)
	if got.State != simvid.StateQueued || stored.State != simvid.StateQueued || stored.FinishedAt != nil || stored.Error != "" {
		t.Errorf("requeued render %+v", stored)
	}
	_, err = f.Service.RequeueRender(ctx, "x")
	wantCode(t, err, simvid.ENotFound)
}

// A render of a spec given whole names files of its project only; the project's own
// settings stay as they are.
func TestRenderSpec(t *testing.T) {
	ctx, f, p := begin(t)
	p = f.WithSlides(t, p.ID, 2)
	music := f.WithMusic(t, p.ID, 60, simvid.AssetReady)
	other := f.WithSlides(t, f.Project(t, "").ID, 1)
	before := f.Stored(t, p.ID)
	spec := func(assets ...string) simvid.Spec {
		s := simvid.Spec{Output: simvid.Output{Resolution: "1280x720"}}
		for _, a := range assets {
			s.Slides = append(s.Slides, simvid.Slide{Asset: a})
		}
		return s
	}
	mine, theirs := p.Spec.Slides[0].Asset, other.Spec.Slides[0].Asset

	for name, c := range map[string]struct {
		spec simvid.Spec
		code string
	}{
		"no slides":              {spec(), simvid.EUnprocessable},
		"not an id":              {spec("../x.png"), simvid.EUnprocessable},
		"music as a picture":     {spec(music.ID), simvid.EUnprocessable},
		"another project's file": {spec(mine, theirs), simvid.ENotFound},
		"an unknown file":        {spec(simvid.NewID(simvid.PrefixImage)), simvid.ENotFound},
		"over the slide limit":   {spec(mine, mine, mine, mine, mine, mine, mine, mine, mine, mine, mine), simvid.ETooLarge},
	} {
		if _, err := f.Service.RenderSpec(ctx, p.ID, c.spec, "1.2.3.4", "", ""); !simvid.IsCode(err, c.code) {
			t.Errorf("%s: %v; want %s", name, err, c.code)
		}
	}
	if n := len(f.Renders(t, p.ID)); n != 0 {
		t.Fatalf("refused specs made %d renders", n)
	}

	s := spec(mine, mine)
	s.Audio = []simvid.AudioClip{{Asset: music.ID, Start: 2}}
	r, err := f.Service.RenderSpec(ctx, p.ID, s, "1.2.3.4", "", "")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.Store.GetRender(ctx, r.ID)
	if len(got.Spec.Slides) != 2 || got.Spec.Slides[0].ID == "" || got.Spec.Slides[0].ID == got.Spec.Slides[1].ID ||
		got.Spec.Output.Resolution != "1280x720" || got.Spec.Audio[0].Start != 2 {
		t.Errorf("rendered spec %+v", got.Spec)
	}
	if q := f.Queue.Renders(); !slices.Equal(q, []string{r.ID}) {
		t.Errorf("queued %v", q)
	}
	if after := f.Stored(t, p.ID); after.Spec.Output.Resolution != before.Spec.Output.Resolution || len(after.Spec.Slides) != 2 {
		t.Errorf("the project's own settings changed: %+v", after.Spec.Output)
	}
}
