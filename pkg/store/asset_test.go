package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

func fullAsset(projectID string) *simvid.Asset {
	return &simvid.Asset{
		ID: simvid.NewID(simvid.PrefixAudio), ProjectID: projectID, Kind: simvid.KindAudio,
		State: simvid.AssetFailed, Error: "song.mp3: not audio", SHA256: "ab12",
		OriginalName: "My Song (1).mp3", Size: 1 << 33, Format: "mp3", Width: 640, Height: 480,
		Orientation: 6, PixFmt: "yuvj420p", Duration: 187.254, Codec: "mp3",
		Peaks: []float32{0, 0.1, 0.33333334, 1, 1e-5}, CreatedAt: at(2),
		SourceURL: "https://youtu.be/dQw4w9WgXcQ?t=3", Progress: 42.5,
		TakenAt: takenAt(), Beats: &simvid.Beats{Tempo: 120, Times: []float64{0.25, 0.75, 1.25}},
	}
}

// takenAt is a time with a zone offset, as EXIF gives it; it must come back with that offset.
func takenAt() *time.Time {
	t := time.Date(2025, 6, 14, 18, 30, 5, 0, time.FixedZone("", -7*3600))
	return &t
}

func testAssetCRUD(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := newProject(t, s, nil)
	a := fullAsset(p.ID)
	if err := s.CreateAsset(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetAsset(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "asset", got, a)

	// Image with nil peaks round-trips nil; empty peaks round-trip empty.
	img := &simvid.Asset{ID: simvid.NewID(simvid.PrefixImage), ProjectID: p.ID, Kind: simvid.KindImage, State: simvid.AssetReady}
	if err := s.CreateAsset(ctx, img); err != nil {
		t.Fatal(err)
	}
	gotImg, _ := s.GetAsset(ctx, img.ID)
	wantEqual(t, "image asset", gotImg, img)

	upd, err := s.UpdateAsset(ctx, a.ID, func(a *simvid.Asset) error {
		a.State, a.Error, a.Peaks, a.Progress = simvid.AssetReady, "", []float32{}, 100
		a.Beats, a.Clip = nil, &simvid.ClipInfo{FPS: 29.97, VFR: true, Rotation: 90, HasAudio: true, HDR: "hlg", BitDepth: 10, CodedWidth: 3840, CodedHeight: 2160}
		a.ProjectID, a.CreatedAt = "prj_other", time.Time{} // not changeable
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := s.GetAsset(ctx, a.ID)
	wantEqual(t, "updated asset", stored, upd)
	if stored.Beats != nil || stored.Clip == nil || stored.Clip.Rotation != 90 || !stored.TakenAt.Equal(*a.TakenAt) {
		t.Fatalf("update stored meta: beats %+v clip %+v taken %v", stored.Beats, stored.Clip, stored.TakenAt)
	}
	if stored.State != simvid.AssetReady || stored.Progress != 100 || stored.SourceURL != a.SourceURL || stored.ProjectID != p.ID || !stored.CreatedAt.Equal(a.CreatedAt) || stored.Peaks == nil {
		t.Fatalf("update stored %+v", stored)
	}

	if err := s.DeleteAsset(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetAsset(ctx, a.ID)
	wantCode(t, "GetAsset after delete", err, simvid.ENotFound)
	wantCode(t, "DeleteAsset twice", s.DeleteAsset(ctx, a.ID), simvid.ENotFound)
	_, err = s.UpdateAsset(ctx, a.ID, func(*simvid.Asset) error { return nil })
	wantCode(t, "UpdateAsset missing", err, simvid.ENotFound)

	orphan := fullAsset(simvid.NewID(simvid.PrefixProject))
	err = s.CreateAsset(ctx, orphan)
	wantCode(t, "CreateAsset without project", err, simvid.ENotFound)
	if simvid.ErrorMessage(err) != "project not found" {
		t.Fatalf("orphan asset message %q", simvid.ErrorMessage(err))
	}
}

func testAssetList(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := newProject(t, s, nil)
	other := newProject(t, s, nil)
	var want []string
	for i, kind := range []string{simvid.KindImage, simvid.KindAudio, simvid.KindImage} {
		a := &simvid.Asset{ID: simvid.NewID("img"), ProjectID: p.ID, Kind: kind, State: simvid.AssetReady,
			CreatedAt: at(10 - i*3)} // created out of insertion order
		if err := s.CreateAsset(ctx, a); err != nil {
			t.Fatal(err)
		}
		want = append([]string{a.ID}, want...)
	}
	if err := s.CreateAsset(ctx, &simvid.Asset{ID: simvid.NewID("img"), ProjectID: other.ID, Kind: simvid.KindImage}); err != nil {
		t.Fatal(err)
	}
	ids := func(kind string) []string {
		as, err := s.ListAssets(ctx, p.ID, kind)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, a := range as {
			out = append(out, a.ID)
		}
		return out
	}
	wantEqual(t, "all, oldest first", ids(""), want)
	wantEqual(t, "images", ids(simvid.KindImage), []string{want[0], want[2]})
	wantEqual(t, "audio", ids(simvid.KindAudio), []string{want[1]})
	wantEqual(t, "other kind", ids("video"), []string{})
}

func testUnfinishedAssets(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := newProject(t, s, nil)
	other := newProject(t, s, nil)
	mk := func(pid, kind string, state simvid.AssetState, age int) string {
		a := &simvid.Asset{ID: simvid.NewID("img"), ProjectID: pid, Kind: kind, State: state, CreatedAt: at(age)}
		if err := s.CreateAsset(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	fetching := mk(p.ID, simvid.KindImage, simvid.AssetFetching, 5)
	processing := mk(other.ID, simvid.KindAudio, simvid.AssetProcessing, 3)
	ready := mk(p.ID, simvid.KindImage, simvid.AssetReady, 4)
	failed := mk(other.ID, simvid.KindAudio, simvid.AssetFailed, 2)
	as, err := s.ListUnfinishedAssets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range as {
		switch a.ID {
		case fetching, processing, ready, failed: // other tests' assets share the database
			got = append(got, a.ID)
		}
	}
	wantEqual(t, "unfinished assets of every project, oldest first", got, []string{processing, fetching})
}
