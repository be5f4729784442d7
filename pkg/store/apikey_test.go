package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

func testAPIKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	k := &simvid.APIKey{ID: simvid.NewID(simvid.PrefixKey), Name: "shop", Prefix: "sk_abcd", Hash: "h1",
		WebhookSecret: "whsec_1", RateLimit: "600-M", RendersPerDay: 5, StorageBytes: 1 << 30, CreatedAt: at(1)}
	if err := s.CreateAPIKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAPIKey(ctx, &simvid.APIKey{ID: simvid.NewID(simvid.PrefixKey), Hash: "h1"}); err == nil {
		t.Fatal("a second key with the same hash was accepted")
	}
	got, err := s.GetAPIKeyByHash(ctx, "h1")
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "key", *got, *k)
	if _, err := s.GetAPIKeyByHash(ctx, "nope"); simvid.ErrorCode(err) != simvid.ENotFound {
		t.Fatalf("unknown hash: %v", err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	up, err := s.UpdateAPIKey(ctx, k.ID, func(k *simvid.APIKey) error {
		k.RevokedAt, k.Hash, k.WebhookSecret = &now, "changed", "changed"
		return nil
	})
	if err != nil || up.RevokedAt == nil || !up.RevokedAt.Equal(now) || up.Hash != "h1" || up.WebhookSecret != "whsec_1" {
		t.Fatalf("UpdateAPIKey = %+v, %v", up, err)
	}
	keys, err := s.ListAPIKeys(ctx)
	if err != nil || len(keys) != 1 || keys[0].RevokedAt == nil {
		t.Fatalf("ListAPIKeys = %+v, %v", keys, err)
	}

	p := newProject(t, s, func(p *simvid.Project) { p.OwnerKey = k.ID })
	other := newProject(t, s, nil)
	for _, pid := range []string{p.ID, other.ID} {
		a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixImage), ProjectID: pid, Kind: simvid.KindImage, State: simvid.AssetReady, Size: 1000}
		if err := s.CreateAsset(ctx, a); err != nil {
			t.Fatal(err)
		}
		r := &simvid.Render{ID: simvid.NewID(simvid.PrefixRender), ProjectID: pid, State: simvid.StateQueued, CallbackURL: "https://example.com/hook"}
		if err := s.CreateRender(ctx, r); err != nil {
			t.Fatal(err)
		}
		if back, _ := s.GetRender(ctx, r.ID); back.CallbackURL != r.CallbackURL {
			t.Fatalf("callback url lost: %+v", back)
		}
	}
	u, err := s.APIKeyUsage(ctx, k.ID, time.Now().Add(-time.Hour))
	if err != nil || u.Bytes != 1000 || u.Renders != 1 {
		t.Fatalf("APIKeyUsage = %+v, %v", u, err)
	}
}

func testWebhookDeliveries(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := newProject(t, s, nil)
	r := &simvid.Render{ID: simvid.NewID(simvid.PrefixRender), ProjectID: p.ID, State: simvid.StateDone}
	if err := s.CreateRender(ctx, r); err != nil {
		t.Fatal(err)
	}
	next := at(9)
	for i, st := range []int{500, 200} {
		d := &simvid.WebhookDelivery{RenderID: r.ID, Event: "render.done", URL: "https://example.com/h", Attempt: i + 1,
			At: at(i), Status: st, DurationMS: 12}
		if st != 200 {
			d.NextAt, d.Error = &next, "answered 500"
		}
		if err := s.AddWebhookDelivery(ctx, d); err != nil || d.ID == 0 {
			t.Fatalf("AddWebhookDelivery: %v %+v", err, d)
		}
	}
	ds, err := s.ListWebhookDeliveries(ctx, r.ID, 0)
	if err != nil || len(ds) != 2 || ds[0].Status != 200 || ds[1].NextAt == nil || !ds[1].NextAt.Equal(next.Truncate(time.Microsecond)) {
		t.Fatalf("ListWebhookDeliveries = %+v, %v", ds, err)
	}
	if err := s.DeleteProject(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.ListWebhookDeliveries(ctx, r.ID, 0); len(ds) != 0 {
		t.Fatalf("deliveries outlived their project: %+v", ds)
	}
}
