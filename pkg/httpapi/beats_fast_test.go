package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
)

// TestBeatSyncSurfaces: the project's music comes with its beats; PATCH settings turns
// beat_sync on (and refuses a value that is not true or false, naming it, changing nothing);
// the origin's /generate_video takes "beat_sync": true into the render's spec.
func TestBeatSyncSurfaces(t *testing.T) {
	a := newAPI(t)
	ctx := context.Background()
	pid := a.created(t)
	a.WithSlides(t, pid, 3)
	m := a.WithMusic(t, pid, 30, simvid.AssetReady)
	if _, err := a.Store.UpdateAsset(ctx, m.ID, func(x *simvid.Asset) error {
		x.Beats = &simvid.Beats{Tempo: 120, Times: []float64{0.5, 1, 1.5}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var view struct {
		Spec struct {
			BeatSync bool `json:"beat_sync"`
		} `json:"spec"`
		Music struct {
			Beats *simvid.Beats `json:"beats"`
		} `json:"music"`
	}
	decode(t, a.json(t, http.MethodGet, "/api/v1/projects/"+pid, ""), http.StatusOK, &view)
	if b := view.Music.Beats; b == nil || b.Tempo != 120 || len(b.Times) != 3 || view.Spec.BeatSync {
		t.Fatalf("project view: beats %+v, beat_sync %v", b, view.Spec.BeatSync)
	}
	decode(t, a.json(t, http.MethodPatch, "/api/v1/projects/"+pid+"/settings", `{"beat_sync":true}`), http.StatusOK, &view)
	if !view.Spec.BeatSync || !a.Stored(t, pid).Spec.BeatSync {
		t.Fatal("beat_sync not set")
	}
	before := a.Stored(t, pid)
	msg := a.wantError(t, a.json(t, http.MethodPatch, "/api/v1/projects/"+pid+"/settings", `{"beat_sync":"yes","music":{"volume":2}}`),
		http.StatusUnprocessableEntity, "unprocessable")
	if !strings.Contains(msg, "beat_sync") {
		t.Errorf("message %q does not name beat_sync", msg)
	}
	a.Unchanged(t, before)
	decode(t, a.json(t, http.MethodPatch, "/api/v1/projects/"+pid+"/settings", `{"beat_sync":false}`), http.StatusOK, &view)
	if view.Spec.BeatSync {
		t.Fatal("beat_sync not cleared")
	}

	rec := a.json(t, http.MethodPost, "/generate_video", `{"session_id":"`+pid+`","beat_sync":true,"duration":1}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("generate_video: %d %s", rec.Code, rec.Body)
	}
	rs := a.Renders(t, pid)
	if len(rs) != 1 || !rs[0].Spec.BeatSync {
		t.Fatalf("renders %d, beat_sync in the render's spec: %v", len(rs), len(rs) == 1 && rs[0].Spec.BeatSync)
	}
}
