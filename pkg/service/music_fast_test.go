package service_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/simvid"
)

func ptr(v float64) *float64 { return &v }

func TestUpdateMusicTrim(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	p := f.project(t, "")
	_, err := f.svc.UpdateMusic(ctx, p.ID, ptr(1), nil)
	wantCode(t, err, simvid.EConflict) // no music yet

	f.withSlides(t, p.ID, 1)
	a := f.withMusic(t, p.ID, 60, simvid.AssetReady)
	got, err := f.svc.UpdateMusic(ctx, p.ID, ptr(5), ptr(40))
	if err != nil {
		t.Fatal(err)
	}
	want := simvid.AudioClip{Asset: a.ID, Start: 5, End: 40}
	if c := f.stored(t, p.ID).Spec.Audio; len(c) != 1 || c[0] != want || got.Spec.Audio[0] != want {
		t.Errorf("stored clip %+v; want %+v", c, want)
	}
	if m := f.queue.list(&f.queue.mixes); !slices.Equal(m, []string{p.ID}) {
		t.Errorf("a trim queued mixes %v; want [%s]", m, p.ID)
	}
	// Only what is given changes.
	if _, err := f.svc.UpdateMusic(ctx, p.ID, nil, ptr(50)); err != nil {
		t.Fatal(err)
	}
	if c := f.stored(t, p.ID).Spec.Audio[0]; c.Start != 5 || c.End != 50 {
		t.Errorf("clip after changing its end: %+v", c)
	}

	before := f.stored(t, p.ID)
	for name, se := range map[string][2]*float64{
		"negative start":    {ptr(-1), nil},
		"end before start":  {ptr(30), ptr(20)},
		"start past end":    {ptr(61), ptr(0)},
		"end past the song": {nil, ptr(75)},
	} {
		_, err := f.svc.UpdateMusic(ctx, p.ID, se[0], se[1])
		if !simvid.IsCode(err, simvid.EUnprocessable) {
			t.Errorf("%s: %v; want %s", name, err, simvid.EUnprocessable)
		}
	}
	f.unchanged(t, before)
	_, err = f.svc.UpdateMusic(ctx, "prj_nope", ptr(1), nil)
	wantCode(t, err, simvid.ENotFound)
}

// Choosing other music forgets the music before it, and removing the music leaves the
// project without: both only through the service.
func TestRemoveMusic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	p := f.project(t, "")
	a := f.withMusic(t, p.ID, 60, simvid.AssetReady)
	got, err := f.svc.RemoveMusic(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Spec.Audio) != 0 || len(f.stored(t, p.ID).Spec.Audio) != 0 {
		t.Errorf("music still chosen: %v", f.stored(t, p.ID).Spec.Audio)
	}
	if _, err := f.store.GetAsset(ctx, a.ID); !simvid.IsCode(err, simvid.ENotFound) {
		t.Errorf("removed music still recorded: %v", err)
	}
	_, err = f.svc.RemoveMusic(ctx, "nope")
	wantCode(t, err, simvid.ENotFound)
}

// SetMusic refuses what is not music before any tool runs, and refuses everything on a full
// disk; nothing is recorded or queued.
func TestSetMusicRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	p := f.project(t, "")
	_, _, err := f.svc.SetMusic(ctx, p.ID, "song.mp3", strings.NewReader("<html><body>not music</body></html>"), 0, 0)
	wantCode(t, err, simvid.EUnsupported)
	_, _, err = f.svc.SetMusic(ctx, simvid.NewID(simvid.PrefixProject), "song.mp3", strings.NewReader("x"), 0, 0)
	wantCode(t, err, simvid.ENotFound)

	full := newFixture(t, func(d *service.Deps) { d.Limits.MinFreeDisk = math.MaxUint64 })
	fp := full.project(t, "")
	_, _, err = full.svc.SetMusic(ctx, fp.ID, "song.mp3", strings.NewReader("ID3"), 0, 0)
	wantCode(t, err, simvid.EStorageFull)

	for fx, pid := range map[*fixture]string{f: p.ID, full: fp.ID} {
		if as, _ := fx.store.ListAssets(ctx, pid, ""); len(as) != 0 {
			t.Errorf("refused music was recorded: %d", len(as))
		}
		if q := fx.queue.list(&fx.queue.audio); len(q) != 0 {
			t.Errorf("refused music was queued: %v", q)
		}
	}
}

// Music of an API key's project is that key's: another caller finds nothing.
func TestMusicToAdopt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	owned := f.project(t, "key_1")
	a := f.withMusic(t, owned.ID, 60, simvid.AssetReady)
	if clip, err := f.svc.MusicToAdopt(ctx, a.ID, "key_1"); err != nil || clip.Asset != a.ID {
		t.Errorf("the owner: %+v %v", clip, err)
	}
	for _, who := range []string{"", "key_2"} {
		_, err := f.svc.MusicToAdopt(ctx, a.ID, who)
		wantCode(t, err, simvid.ENotFound)
	}
	_, err := f.svc.MusicToAdopt(ctx, "aud_nope", "key_1")
	wantCode(t, err, simvid.ENotFound)

	anon := f.project(t, "")
	bad := f.withMusic(t, anon.ID, 60, simvid.AssetFailed)
	_, err = f.svc.MusicToAdopt(ctx, bad.ID, "")
	wantCode(t, err, simvid.EUnprocessable)
}
