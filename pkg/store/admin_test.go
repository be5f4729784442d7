package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

func testAudit(t *testing.T, s store.Store) {
	ctx := context.Background()
	var ids []int64
	for i, action := range []string{"login", "project.delete", "login"} {
		e := &simvid.AuditEvent{At: at(i), Actor: "admin", Action: action, Target: "prj_x", Detail: "<script>alert(1)</script>", IP: "203.0.113.7"}
		if err := s.AddAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		if e.ID == 0 || !e.At.Equal(at(i).Truncate(time.Microsecond)) {
			t.Fatalf("AddAudit did not set ID or normalise At: %+v", e)
		}
		ids = append(ids, e.ID)
	}
	all, err := s.ListAudit(ctx, simvid.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].ID != ids[2] || all[2].ID != ids[0] {
		t.Fatalf("ListAudit order: %+v", all)
	}
	wantEqual(t, "event", *all[1], simvid.AuditEvent{ID: ids[1], At: at(1).UTC().Truncate(time.Microsecond), Actor: "admin",
		Action: "project.delete", Target: "prj_x", Detail: "<script>alert(1)</script>", IP: "203.0.113.7"})
	logins, _ := s.ListAudit(ctx, simvid.AuditFilter{Action: "login", Limit: 1})
	if len(logins) != 1 || logins[0].ID != ids[2] {
		t.Fatalf("filtered: %+v", logins)
	}
	older, _ := s.ListAudit(ctx, simvid.AuditFilter{Before: ids[2]})
	if len(older) != 2 || older[0].ID != ids[1] {
		t.Fatalf("paged: %+v", older)
	}
}

func testSettings(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.GetSetting(ctx, store.SettingProjectTTL); simvid.ErrorCode(err) != simvid.ENotFound {
		t.Fatalf("unset setting: %v", err)
	}
	if d := store.ProjectTTL(ctx, s, time.Hour); d != time.Hour {
		t.Fatalf("ProjectTTL without setting = %v", d)
	}
	for _, v := range []string{"48h0m0s", "0s"} {
		if err := s.PutSetting(ctx, store.SettingProjectTTL, v); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetSetting(ctx, store.SettingProjectTTL)
		if err != nil || got != v {
			t.Fatalf("GetSetting = %q, %v; want %q", got, err, v)
		}
	}
	if d := store.ProjectTTL(ctx, s, time.Hour); d != 0 {
		t.Fatalf("ProjectTTL with 0s = %v", d)
	}
	_ = s.PutSetting(ctx, store.SettingProjectTTL, "garbage")
	if d := store.ProjectTTL(ctx, s, time.Hour); d != time.Hour {
		t.Fatalf("ProjectTTL with a bad value = %v, want the default", d)
	}
	if err := s.DeleteSetting(ctx, store.SettingProjectTTL); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSetting(ctx, store.SettingProjectTTL); simvid.ErrorCode(err) != simvid.ENotFound {
		t.Fatalf("deleted setting: %v", err)
	}
}

func testSearchRenders(t *testing.T, s store.Store) {
	ctx := context.Background()
	p, q := newProject(t, s, nil), newProject(t, s, nil)
	mk := func(pid string, state simvid.RenderState, sec int) string {
		r := &simvid.Render{ID: simvid.NewID(simvid.PrefixRender), ProjectID: pid, State: state, CreatedAt: at(sec)}
		if err := s.CreateRender(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	a := mk(p.ID, simvid.StateDone, 1)
	b := mk(p.ID, simvid.StateFailed, 2)
	c := mk(q.ID, simvid.StateDone, 3)
	ids := func(q simvid.RenderQuery) []string {
		rs, err := s.SearchRenders(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	wantEqual(t, "all", ids(simvid.RenderQuery{}), []string{c, b, a})
	wantEqual(t, "window", ids(simvid.RenderQuery{Since: at(2), Until: at(3)}), []string{b})
	wantEqual(t, "state+since", ids(simvid.RenderQuery{RenderFilter: simvid.RenderFilter{States: []simvid.RenderState{simvid.StateDone}}, Since: at(2)}), []string{c})
	wantEqual(t, "project", ids(simvid.RenderQuery{RenderFilter: simvid.RenderFilter{ProjectID: p.ID, Limit: 1}}), []string{b})
}

func testUsage(t *testing.T, s store.Store) {
	ctx := context.Background()
	u, err := s.Usage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "empty usage", u, map[string]simvid.KindUsage{"render": {}})
	p := newProject(t, s, nil)
	for _, size := range []int64{100, 23} {
		a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixImage), ProjectID: p.ID, Kind: simvid.KindImage, State: simvid.AssetReady, Size: size}
		if err := s.CreateAsset(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []*simvid.Render{
		{ID: simvid.NewID(simvid.PrefixRender), ProjectID: p.ID, State: simvid.StateDone, OutputSize: 5000},
		{ID: simvid.NewID(simvid.PrefixRender), ProjectID: p.ID, State: simvid.StateFailed, OutputSize: 7},
	} {
		if err := s.CreateRender(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	u, err = s.Usage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "usage", u, map[string]simvid.KindUsage{"image": {Count: 2, Bytes: 123}, "render": {Count: 1, Bytes: 5000}})
}
