package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

func testProjectRoundTrip(t *testing.T, s store.Store) {
	ctx := context.Background()
	for name, fade := range map[string]*float64{"nil": nil, "zero": fptr(0), "set": fptr(2.5)} {
		t.Run("FadeOut="+name, func(t *testing.T) {
			p := newProject(t, s, func(p *simvid.Project) {
				p.Spec, p.OwnerKey, p.CreatedAt = fullSpec(fade), "key_123", at(1)
			})
			got, err := s.GetProject(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantEqual(t, "project", got, p)
			if fade != nil && got.Spec.Music.FadeOut == fade {
				t.Fatal("FadeOut pointer aliased")
			}
		})
	}
	// Zero times are filled in with now.
	before := time.Now().Add(-time.Second)
	p := newProject(t, s, nil)
	if p.CreatedAt.Before(before) || !p.UpdatedAt.Equal(p.CreatedAt) {
		t.Fatalf("zero times set to %v / %v", p.CreatedAt, p.UpdatedAt)
	}
}

func testProjectUpdate(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := newProject(t, s, func(p *simvid.Project) { p.CreatedAt = at(1) })
	got, err := s.UpdateProject(ctx, p.ID, func(q *simvid.Project) error {
		q.Spec.Slides = append(q.Spec.Slides, simvid.Slide{ID: "sld_3", Asset: "img_3"})
		q.Spec.Music.FadeOut = nil
		q.OwnerKey = "key_new"
		q.ID, q.CreatedAt = "prj_other", time.Time{} // not changeable
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != p.ID || !got.CreatedAt.Equal(p.CreatedAt) || !got.UpdatedAt.After(p.UpdatedAt) {
		t.Fatalf("after update id=%s created=%v updated=%v", got.ID, got.CreatedAt, got.UpdatedAt)
	}
	stored, err := s.GetProject(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "stored project", stored, got)
	if len(stored.Spec.Slides) != 3 || stored.Spec.Music.FadeOut != nil || stored.OwnerKey != "key_new" {
		t.Fatalf("update not stored: %+v", stored)
	}

	// An error from fn comes back unchanged and nothing is written.
	sentinel := simvid.Errorf(simvid.EConflict, "nope")
	_, err = s.UpdateProject(ctx, p.ID, func(q *simvid.Project) error {
		q.Spec.Slides = nil
		return sentinel
	})
	if err != sentinel {
		t.Fatalf("fn error came back as %v", err)
	}
	after, _ := s.GetProject(ctx, p.ID)
	wantEqual(t, "project after failed update", after, stored)
}

func testProjectList(t *testing.T, s store.Store) {
	ctx := context.Background()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 5 {
		p := newProject(t, s, func(p *simvid.Project) {
			p.CreatedAt = base.Add(time.Duration(i) * time.Hour)
			if i%2 == 0 {
				p.OwnerKey = "key_a"
			}
		})
		ids = append(ids, p.ID)
	}
	listIDs := func(f simvid.ProjectFilter) []string {
		t.Helper()
		ps, err := s.ListProjects(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	wantEqual(t, "all, newest first", listIDs(simvid.ProjectFilter{}), []string{ids[4], ids[3], ids[2], ids[1], ids[0]})
	wantEqual(t, "updated before 2h", listIDs(simvid.ProjectFilter{UpdatedBefore: base.Add(2 * time.Hour)}), []string{ids[1], ids[0]})
	wantEqual(t, "owner", listIDs(simvid.ProjectFilter{OwnerKey: "key_a"}), []string{ids[4], ids[2], ids[0]})
	wantEqual(t, "owner+before+limit", listIDs(simvid.ProjectFilter{OwnerKey: "key_a", UpdatedBefore: base.Add(3 * time.Hour), Limit: 1}), []string{ids[2]})
	wantEqual(t, "limit", listIDs(simvid.ProjectFilter{Limit: 2}), []string{ids[4], ids[3]})
	wantEqual(t, "none", listIDs(simvid.ProjectFilter{OwnerKey: "key_none"}), []string{})
	n, err := s.CountProjects(ctx)
	if err != nil || n != 5 {
		t.Fatalf("CountProjects = %d, %v; want 5", n, err)
	}
}

func testProjectNotFound(t *testing.T, s store.Store) {
	ctx := context.Background()
	id := simvid.NewID(simvid.PrefixProject)
	_, err := s.GetProject(ctx, id)
	wantCode(t, "GetProject", err, simvid.ENotFound)
	if simvid.ErrorMessage(err) != "project not found" {
		t.Fatalf("message %q", simvid.ErrorMessage(err))
	}
	called := false
	_, err = s.UpdateProject(ctx, id, func(*simvid.Project) error { called = true; return nil })
	wantCode(t, "UpdateProject", err, simvid.ENotFound)
	if called {
		t.Fatal("fn called for a missing project")
	}
	wantCode(t, "DeleteProject", s.DeleteProject(ctx, id), simvid.ENotFound)
	err = s.CreateProject(ctx, &simvid.Project{})
	if err == nil || simvid.ErrorCode(err) != simvid.EInternal {
		t.Fatalf("CreateProject without id: %v", err)
	}
}

// testProjectConcurrentUpdates: every read-modify-write must see the previous one.
func testProjectConcurrentUpdates(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := newProject(t, s, func(p *simvid.Project) { p.Spec.Slides = nil })
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.UpdateProject(ctx, p.ID, func(q *simvid.Project) error {
				q.Spec.Slides = append(q.Spec.Slides, simvid.Slide{ID: fmt.Sprintf("sld_%d", i), Asset: "img"})
				return nil
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent update: %v", err)
		}
	}
	got, err := s.GetProject(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Spec.Slides) != n {
		t.Fatalf("%d slides after %d concurrent appends (lost updates)", len(got.Spec.Slides), n)
	}
}
