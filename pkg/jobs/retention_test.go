package jobs

import (
	"context"
	"os"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

// Retention removes idle anonymous projects with their files, and never one that has an
// unfinished render or an owner.
func TestRetentionSparesUnfinishedRenders(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	log := zaptest.NewLogger(t)
	st, err := store.Open(ctx, "", dir, log)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ms, err := media.NewFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-40 * 24 * time.Hour)
	mk := func(owner string) *simvid.Project {
		p := &simvid.Project{ID: simvid.NewID(simvid.PrefixProject), CreatedAt: old, UpdatedAt: old, OwnerKey: owner}
		if err := st.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		pd, _ := ms.ProjectDir(p.ID)
		_ = os.MkdirAll(pd, 0o755)
		_ = os.WriteFile(pd+"/x", []byte("data"), 0o644)
		return p
	}
	idle, busy, owned := mk(""), mk(""), mk("key_1")
	if err := st.CreateRender(ctx, &simvid.Render{ID: simvid.NewID(simvid.PrefixRender), ProjectID: busy.ID,
		State: simvid.StateRendering, CreatedAt: old, UpdatedAt: old}); err != nil {
		t.Fatal(err)
	}
	fresh := &simvid.Project{ID: simvid.NewID(simvid.PrefixProject)}
	if err := st.CreateProject(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	w := &Worker{Deps: Deps{Store: st, Media: ms, Log: log, Opts: Options{ProjectTTL: 30 * 24 * time.Hour}}}
	w.retentionOnce(ctx)

	if _, err := st.GetProject(ctx, idle.ID); !simvid.IsCode(err, simvid.ENotFound) {
		t.Errorf("idle project kept: %v", err)
	}
	if pd, _ := ms.ProjectDir(idle.ID); exists(pd) {
		t.Errorf("idle project's files kept")
	}
	for _, p := range []*simvid.Project{busy, owned, fresh} {
		if _, err := st.GetProject(ctx, p.ID); err != nil {
			t.Errorf("project %s removed: %v", p.ID, err)
		}
	}
	if pd, _ := ms.ProjectDir(busy.ID); !exists(pd) {
		t.Errorf("files of the project with a running render removed")
	}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }
