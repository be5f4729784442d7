package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

func fullRender(projectID string) *simvid.Render {
	started := at(4)
	return &simvid.Render{
		ID: simvid.NewID(simvid.PrefixRender), ProjectID: projectID, Spec: fullSpec(fptr(0)),
		State: simvid.StateRendering, Progress: 42.5, ETA: 12.25, Message: "Rendering slides",
		Error: "", ErrorDetail: "ffmpeg: frame=10", Warnings: []string{"photo.jpg is small", "x"},
		FramesTotal: 9000, FramesDone: 3825, Duration: 300.04, OutputSize: 5 << 30, Attempts: 2,
		Client: "203.0.113.9", Worker: "host:123", CancelAsked: true,
		CreatedAt: at(3), StartedAt: &started, UpdatedAt: at(5),
	}
}

func testRenderCRUD(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := newProject(t, s, nil)
	r := fullRender(p.ID)
	if err := s.CreateRender(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetRender(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "render", got, r)
	if got.FinishedAt != nil {
		t.Fatal("nil FinishedAt came back set")
	}
	// The status read is the same record with the spec's output alone.
	status, err := s.GetRenderStatus(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Spec.Slides) == 0 || r.Spec.Output.Resolution == "" {
		t.Fatalf("the test render needs slides and an output: %+v", r.Spec)
	}
	onlyOutput := *r
	onlyOutput.Spec = simvid.Spec{Output: r.Spec.Output}
	wantEqual(t, "render status", status, &onlyOutput)
	if _, err := s.GetRenderStatus(ctx, "rnd_missing"); !simvid.IsCode(err, simvid.ENotFound) {
		t.Errorf("status of a missing render: %v, want not found", err)
	}

	// Zero-ish render: nil warnings and nil times stay nil; empty warnings stay empty.
	for _, w := range [][]string{nil, {}} {
		q := &simvid.Render{ID: simvid.NewID(simvid.PrefixRender), ProjectID: p.ID, State: simvid.StateQueued, Warnings: w}
		if err := s.CreateRender(ctx, q); err != nil {
			t.Fatal(err)
		}
		gq, _ := s.GetRender(ctx, q.ID)
		wantEqual(t, "bare render", gq, q)
	}

	finish := time.Now()
	upd, err := s.UpdateRender(ctx, r.ID, func(r *simvid.Render) error {
		r.State, r.Progress, r.FinishedAt, r.StartedAt = simvid.StateDone, 100, &finish, nil
		r.Warnings = append(r.Warnings, "music shorter than slides")
		r.ProjectID, r.CreatedAt = "prj_other", time.Time{} // not changeable
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !upd.UpdatedAt.After(r.UpdatedAt) || upd.ProjectID != p.ID || !upd.CreatedAt.Equal(r.CreatedAt) {
		t.Fatalf("updated render %+v", upd)
	}
	stored, _ := s.GetRender(ctx, r.ID)
	wantEqual(t, "updated render", stored, upd)
	if stored.StartedAt != nil || stored.FinishedAt == nil || !stored.FinishedAt.Equal(finish.Truncate(time.Microsecond)) {
		t.Fatalf("times after update: started %v finished %v", stored.StartedAt, stored.FinishedAt)
	}

	sentinel := simvid.Errorf(simvid.EConflict, "render already finished")
	if _, err := s.UpdateRender(ctx, r.ID, func(r *simvid.Render) error { r.State = "x"; return sentinel }); err != sentinel {
		t.Fatalf("fn error came back as %v", err)
	}
	again, _ := s.GetRender(ctx, r.ID)
	wantEqual(t, "render after failed update", again, stored)

	_, err = s.GetRender(ctx, simvid.NewID(simvid.PrefixRender))
	wantCode(t, "GetRender missing", err, simvid.ENotFound)
	_, err = s.UpdateRender(ctx, simvid.NewID(simvid.PrefixRender), func(*simvid.Render) error { return nil })
	wantCode(t, "UpdateRender missing", err, simvid.ENotFound)
	err = s.CreateRender(ctx, fullRender(simvid.NewID(simvid.PrefixProject)))
	wantCode(t, "CreateRender without project", err, simvid.ENotFound)
}

func testRenderList(t *testing.T, s store.Store) {
	ctx := context.Background()
	p1, p2 := newProject(t, s, nil), newProject(t, s, nil)
	mk := func(p *simvid.Project, state simvid.RenderState, client string, sec int) string {
		r := &simvid.Render{ID: simvid.NewID(simvid.PrefixRender), ProjectID: p.ID, State: state, Client: client, CreatedAt: at(sec)}
		if err := s.CreateRender(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	a := mk(p1, simvid.StateQueued, "1.1.1.1", 1)
	b := mk(p1, simvid.StateDone, "1.1.1.1", 2)
	c := mk(p2, simvid.StateRendering, "2.2.2.2", 3)
	d := mk(p1, simvid.StateFailed, "2.2.2.2", 4)
	cases := []struct {
		name string
		f    simvid.RenderFilter
		want []string
	}{
		{"all newest first", simvid.RenderFilter{}, []string{d, c, b, a}},
		{"project", simvid.RenderFilter{ProjectID: p1.ID}, []string{d, b, a}},
		{"unfinished", simvid.RenderFilter{States: simvid.UnfinishedStates()}, []string{c, a}},
		{"client unfinished", simvid.RenderFilter{Client: "1.1.1.1", States: simvid.UnfinishedStates()}, []string{a}},
		{"client", simvid.RenderFilter{Client: "2.2.2.2"}, []string{d, c}},
		{"project state", simvid.RenderFilter{ProjectID: p1.ID, States: []simvid.RenderState{simvid.StateDone, simvid.StateFailed}}, []string{d, b}},
		{"limit", simvid.RenderFilter{Limit: 2}, []string{d, c}},
		{"none", simvid.RenderFilter{Client: "9.9.9.9"}, []string{}},
	}
	for _, tc := range cases {
		rs, err := s.ListRenders(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{}
		for _, r := range rs {
			got = append(got, r.ID)
		}
		wantEqual(t, tc.name, got, tc.want)
		if tc.f.Limit == 0 {
			n, err := s.CountRenders(ctx, tc.f)
			if err != nil || n != len(tc.want) {
				t.Fatalf("%s: CountRenders = %d, %v; want %d", tc.name, n, err, len(tc.want))
			}
		}
	}
}

func testCascadeDelete(t *testing.T, s store.Store) {
	ctx := context.Background()
	p, keep := newProject(t, s, nil), newProject(t, s, nil)
	a, ka := fullAsset(p.ID), fullAsset(keep.ID)
	r, kr := fullRender(p.ID), fullRender(keep.ID)
	for _, err := range []error{s.CreateAsset(ctx, a), s.CreateAsset(ctx, ka), s.CreateRender(ctx, r), s.CreateRender(ctx, kr)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteProject(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	_, err := s.GetProject(ctx, p.ID)
	wantCode(t, "deleted project", err, simvid.ENotFound)
	_, err = s.GetAsset(ctx, a.ID)
	wantCode(t, "asset of deleted project", err, simvid.ENotFound)
	_, err = s.GetRender(ctx, r.ID)
	wantCode(t, "render of deleted project", err, simvid.ENotFound)
	if n, _ := s.CountRenders(ctx, simvid.RenderFilter{ProjectID: p.ID}); n != 0 {
		t.Fatalf("%d renders left", n)
	}
	// The other project is untouched.
	if _, err := s.GetAsset(ctx, ka.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetRender(ctx, kr.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountProjects(ctx); n != 1 {
		t.Fatalf("CountProjects = %d after delete, want 1", n)
	}
}
