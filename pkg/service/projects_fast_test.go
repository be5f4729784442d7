package service_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/service/servicetest"
	"github.com/simvid/simvid/pkg/simvid"
)

func TestCreateProject(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := servicetest.New(t)

	p, err := f.Service.CreateProject(ctx, &service.Settings{Output: json.RawMessage(`{"resolution":"1280x720"}`)}, "key_1")
	if err != nil {
		t.Fatal(err)
	}
	got := f.Stored(t, p.ID)
	if got.Spec.Output.Resolution != "1280x720" || got.OwnerKey != "key_1" || got.Spec.Slides == nil {
		t.Errorf("stored project: output %+v owner %q slides %v", got.Spec.Output, got.OwnerKey, got.Spec.Slides)
	}
	if got.Spec.Defaults.Duration != simvid.DefaultDuration || got.Spec.Transition.Name != simvid.DefaultTransition {
		t.Errorf("defaults not filled in: %+v %+v", got.Spec.Defaults, got.Spec.Transition)
	}

	// Bad settings make no project at all.
	for name, s := range map[string]*service.Settings{
		"fps":           {Output: json.RawMessage(`{"fps":7}`)},
		"unknown field": {Output: json.RawMessage(`{"resolutoin":"1280x720"}`)},
		"transition":    {Transition: json.RawMessage(`{"name":"spin"}`)},
		"not an object": {Defaults: json.RawMessage(`[1]`)},
	} {
		if _, err := f.Service.CreateProject(ctx, s, ""); !simvid.IsCode(err, simvid.EUnprocessable) {
			t.Errorf("%s: %v; want %s", name, err, simvid.EUnprocessable)
		}
	}
	if n, err := f.Store.CountProjects(ctx); err != nil || n != 1 {
		t.Errorf("projects after refused creates: %d, %v; want 1", n, err)
	}
}

func TestGetProjectIDs(t *testing.T) {
	ctx, f, p := begin(t)
	if got, err := f.Service.GetProject(ctx, p.ID); err != nil || got.ID != p.ID {
		t.Fatalf("get %s: %v %v", p.ID, got, err)
	}
	for _, id := range []string{"", "prj_", "../../etc/passwd", "ren_" + p.ID[4:], p.ID + "x", simvid.NewID(simvid.PrefixProject)} {
		_, err := f.Service.GetProject(ctx, id)
		wantCode(t, err, simvid.ENotFound)
	}
	_, err := f.Service.ListRenders(ctx, "nope", 10)
	wantCode(t, err, simvid.ENotFound)
}

func TestDeleteProject(t *testing.T) {
	ctx, f, p := begin(t)
	f.WithSlides(t, p.ID, 1)
	other := f.Project(t, "")
	f.WithSlides(t, other.ID, 1)
	r, err := f.Service.StartRender(ctx, p.ID, "1.2.3.4", "", "")
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := f.Files.ProjectDir(p.ID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x.bin"), make([]byte, 1234), 0o644); err != nil {
		t.Fatal(err)
	}

	freed, err := f.Service.DeleteProject(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if freed != 1234 {
		t.Errorf("freed %d bytes; want 1234", freed)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("project folder still there: %v", err)
	}
	_, err = f.Store.GetProject(ctx, p.ID)
	wantCode(t, err, simvid.ENotFound)
	_, err = f.Store.GetRender(ctx, r.ID)
	wantCode(t, err, simvid.ENotFound)
	if !slices.Contains(f.Queue.Cancels(), r.ID) {
		t.Errorf("the unfinished render was not canceled in the queue: %v", f.Queue.Cancels())
	}
	if !slices.Equal(f.Gone(), []string{p.ID}) {
		t.Errorf("NotifyGone told %v; want [%s]", f.Gone(), p.ID)
	}
	if f.Stored(t, other.ID) == nil {
		t.Error("another project went too")
	}

	_, err = f.Service.DeleteProject(ctx, p.ID)
	wantCode(t, err, simvid.ENotFound)
	_, err = f.Service.DeleteProject(ctx, "../"+other.ID)
	wantCode(t, err, simvid.ENotFound)
	f.Stored(t, other.ID)
}

func TestUpdateSettings(t *testing.T) {
	ctx, f, p := begin(t)

	got, err := f.Service.UpdateSettings(ctx, p.ID, &service.Settings{Defaults: json.RawMessage(`{"duration":4.5}`)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec.Defaults.Duration != 4.5 || got.Spec.Defaults.Fit != simvid.DefaultFit {
		t.Errorf("a partial change is merged field by field: %+v", got.Spec.Defaults)
	}
	// An aspect sets the resolution; a later resolution without an aspect wins over it.
	if got, err = f.Service.UpdateSettings(ctx, p.ID, &service.Settings{Output: json.RawMessage(`{"aspect":"9:16","lines":720}`)}); err != nil {
		t.Fatal(err)
	}
	if got.Spec.Output.Resolution != "720x1280" {
		t.Errorf("aspect 9:16 at 720 lines: resolution %q", got.Spec.Output.Resolution)
	}
	if got, err = f.Service.UpdateSettings(ctx, p.ID, &service.Settings{Output: json.RawMessage(`{"resolution":"1280x720"}`)}); err != nil {
		t.Fatal(err)
	}
	if got.Spec.Output.Resolution != "1280x720" || got.Spec.Output.Aspect != "" {
		t.Errorf("a resolution after an aspect: %+v", got.Spec.Output)
	}

	before := f.Stored(t, p.ID)
	for name, s := range map[string]*service.Settings{
		"duration too long": {Defaults: json.RawMessage(`{"duration":31}`)},
		"unknown fit":       {Defaults: json.RawMessage(`{"fit":"stretch"}`)},
		"unknown field":     {Music: json.RawMessage(`{"volume":1,"loud":true}`)},
		"wrong type":        {Output: json.RawMessage(`{"fps":"30"}`)},
		"volume":            {Music: json.RawMessage(`{"volume":9}`)},
	} {
		_, err := f.Service.UpdateSettings(ctx, p.ID, s)
		if !simvid.IsCode(err, simvid.EUnprocessable) {
			t.Errorf("%s: %v; want %s", name, err, simvid.EUnprocessable)
		}
	}
	f.Unchanged(t, before)
	_, err = f.Service.UpdateSettings(ctx, "prj_bad", &service.Settings{})
	wantCode(t, err, simvid.ENotFound)
}

// A settings change of a project with music and slides queues its music mix; when the
// queue is down the change still stands (the render prepares the mix itself).
func TestSettingsPremix(t *testing.T) {
	ctx, f, p := begin(t)
	if _, err := f.Service.UpdateSettings(ctx, p.ID, &service.Settings{Music: json.RawMessage(`{"fade_in":1}`)}); err != nil {
		t.Fatal(err)
	}
	if m := f.Queue.Mixes(); len(m) != 0 {
		t.Errorf("a project without music queued a mix: %v", m)
	}
	f.WithSlides(t, p.ID, 2)
	f.WithMusic(t, p.ID, 60, simvid.AssetReady)
	if _, err := f.Service.UpdateSettings(ctx, p.ID, &service.Settings{Music: json.RawMessage(`{"fade_in":2}`)}); err != nil {
		t.Fatal(err)
	}
	if m := f.Queue.Mixes(); !slices.Equal(m, []string{p.ID}) {
		t.Errorf("mixes queued %v; want [%s]", m, p.ID)
	}
	f.Queue.SetFail(true)
	got, err := f.Service.UpdateSettings(ctx, p.ID, &service.Settings{Music: json.RawMessage(`{"fade_in":3}`)})
	if err != nil {
		t.Fatalf("a queue that is down failed the change: %v", err)
	}
	if f.Stored(t, p.ID).Spec.Music.FadeIn != 3 || got.Spec.Music.FadeIn != 3 {
		t.Error("the change was not kept")
	}
}

func TestExpiresAt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := servicetest.New(t, func(d *service.Deps) { d.ProjectTTL = time.Hour })
	anon, owned := f.Project(t, ""), f.Project(t, "key_1")
	if got, want := f.Service.ExpiresAt(ctx, anon), anon.UpdatedAt.Add(time.Hour); !got.Equal(want) {
		t.Errorf("anonymous project expires at %v; want %v", got, want)
	}
	if got := f.Service.ExpiresAt(ctx, owned); !got.IsZero() {
		t.Errorf("an API key's project expires at %v; want never", got)
	}
	if got := servicetest.New(t).Service.ExpiresAt(ctx, anon); !got.IsZero() {
		t.Errorf("without a TTL a project expires at %v; want never", got)
	}

	// A render is activity: it moves the expiry on.
	f.WithSlides(t, anon.ID, 1)
	before := f.Stored(t, anon.ID)
	time.Sleep(2 * time.Millisecond)
	if _, err := f.Service.StartRender(ctx, anon.ID, "1.2.3.4", "", ""); err != nil {
		t.Fatal(err)
	}
	after := f.Stored(t, anon.ID)
	if !f.Service.ExpiresAt(ctx, after).After(f.Service.ExpiresAt(ctx, before)) {
		t.Errorf("a render did not move the expiry: %v -> %v", f.Service.ExpiresAt(ctx, before), f.Service.ExpiresAt(ctx, after))
	}
}
