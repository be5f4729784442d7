package service_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/service/servicetest"
	"github.com/simvid/simvid/pkg/simvid"
)

func ptr(v float64) *float64 { return &v }

func TestUpdateMusicTrim(t *testing.T) {
	ctx, f, p := begin(t)
	_, err := f.Service.UpdateMusic(ctx, p.ID, ptr(1), nil)
	wantCode(t, err, simvid.EConflict) // no music yet

	f.WithSlides(t, p.ID, 1)
	a := f.WithMusic(t, p.ID, 60, simvid.AssetReady)
	got, err := f.Service.UpdateMusic(ctx, p.ID, ptr(5), ptr(40))
	if err != nil {
		t.Fatal(err)
	}
	want := simvid.AudioClip{Asset: a.ID, Start: 5, End: 40}
	if c := f.Stored(t, p.ID).Spec.Audio; len(c) != 1 || c[0] != want || got.Spec.Audio[0] != want {
		t.Errorf("stored clip %+v; want %+v", c, want)
	}
	if m := f.Queue.Mixes(); !slices.Equal(m, []string{p.ID}) {
		t.Errorf("a trim queued mixes %v; want [%s]", m, p.ID)
	}
	// Only what is given changes.
	if _, err := f.Service.UpdateMusic(ctx, p.ID, nil, ptr(50)); err != nil {
		t.Fatal(err)
	}
	if c := f.Stored(t, p.ID).Spec.Audio[0]; c.Start != 5 || c.End != 50 {
		t.Errorf("clip after changing its end: %+v", c)
	}

	before := f.Stored(t, p.ID)
	for name, se := range map[string][2]*float64{
		"negative start":    {ptr(-1), nil},
		"end before start":  {ptr(30), ptr(20)},
		"start past end":    {ptr(61), ptr(0)},
		"end past the song": {nil, ptr(75)},
	} {
		_, err := f.Service.UpdateMusic(ctx, p.ID, se[0], se[1])
		if !simvid.IsCode(err, simvid.EUnprocessable) {
			t.Errorf("%s: %v; want %s", name, err, simvid.EUnprocessable)
		}
	}
	f.Unchanged(t, before)
	_, err = f.Service.UpdateMusic(ctx, "prj_nope", ptr(1), nil)
	wantCode(t, err, simvid.ENotFound)
}

// Choosing other music forgets the music before it, and removing the music leaves the
// project without: both only through the service.
func TestRemoveMusic(t *testing.T) {
	ctx, f, p := begin(t)
	a := f.WithMusic(t, p.ID, 60, simvid.AssetReady)
	got, err := f.Service.RemoveMusic(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Spec.Audio) != 0 || len(f.Stored(t, p.ID).Spec.Audio) != 0 {
		t.Errorf("music still chosen: %v", f.Stored(t, p.ID).Spec.Audio)
	}
	if _, err := f.Store.GetAsset(ctx, a.ID); !simvid.IsCode(err, simvid.ENotFound) {
		t.Errorf("removed music still recorded: %v", err)
	}
	_, err = f.Service.RemoveMusic(ctx, "nope")
	wantCode(t, err, simvid.ENotFound)
}

// SetMusic refuses what is not music before any tool runs, and refuses everything on a full
// disk; nothing is recorded or queued.
func TestSetMusicRefusals(t *testing.T) {
	ctx, f, p := begin(t)
	_, _, err := f.Service.SetMusic(ctx, p.ID, "song.mp3", strings.NewReader("<html><body>not music</body></html>"), 0, 0)
	wantCode(t, err, simvid.EUnsupported)
	_, _, err = f.Service.SetMusic(ctx, simvid.NewID(simvid.PrefixProject), "song.mp3", strings.NewReader("x"), 0, 0)
	wantCode(t, err, simvid.ENotFound)

	full := servicetest.New(t, func(d *service.Deps) { d.Limits.MinFreeDisk = math.MaxUint64 })
	fp := full.Project(t, "")
	_, _, err = full.Service.SetMusic(ctx, fp.ID, "song.mp3", strings.NewReader("ID3"), 0, 0)
	wantCode(t, err, simvid.EStorageFull)

	for fx, pid := range map[*servicetest.Env]string{f: p.ID, full: fp.ID} {
		if as, _ := fx.Store.ListAssets(ctx, pid, ""); len(as) != 0 {
			t.Errorf("refused music was recorded: %d", len(as))
		}
		if q := fx.Queue.Audio(); len(q) != 0 {
			t.Errorf("refused music was queued: %v", q)
		}
	}
}

// Music of an API key's project is that key's: another caller finds nothing.
func TestMusicToAdopt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := servicetest.New(t)
	owned := f.Project(t, "key_1")
	a := f.WithMusic(t, owned.ID, 60, simvid.AssetReady)
	if clip, err := f.Service.MusicToAdopt(ctx, a.ID, "key_1"); err != nil || clip.Asset != a.ID {
		t.Errorf("the owner: %+v %v", clip, err)
	}
	for _, who := range []string{"", "key_2"} {
		_, err := f.Service.MusicToAdopt(ctx, a.ID, who)
		wantCode(t, err, simvid.ENotFound)
	}
	_, err := f.Service.MusicToAdopt(ctx, "aud_nope", "key_1")
	wantCode(t, err, simvid.ENotFound)

	anon := f.Project(t, "")
	bad := f.WithMusic(t, anon.ID, 60, simvid.AssetFailed)
	_, err = f.Service.MusicToAdopt(ctx, bad.ID, "")
	wantCode(t, err, simvid.EUnprocessable)
}
