package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
	"github.com/simvid/simvid/pkg/store/storetest"
	"go.uber.org/zap/zaptest"
)

// opener gives each subtest its own empty database.
type opener func(t *testing.T) store.Store

func TestSQLite(t *testing.T) {
	runSuite(t, func(t *testing.T) store.Store {
		return openStore(t, "", t.TempDir())
	})
}

func TestPostgres(t *testing.T) {
	base := storetest.StartPostgres(t)
	runSuite(t, func(t *testing.T) store.Store {
		return openStore(t, storetest.FreshSchema(t, base)+"&pool_max_conns=4", t.TempDir())
	})
}

// runSuite is the behaviour both dialects must share.
func runSuite(t *testing.T, open opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"ProjectRoundTrip", testProjectRoundTrip},
		{"ProjectUpdate", testProjectUpdate},
		{"ProjectList", testProjectList},
		{"ProjectNotFound", testProjectNotFound},
		{"ProjectConcurrentUpdates", testProjectConcurrentUpdates},
		{"AssetCRUD", testAssetCRUD},
		{"AssetList", testAssetList},
		{"RenderCRUD", testRenderCRUD},
		{"RenderList", testRenderList},
		{"CascadeDelete", testCascadeDelete},
		{"TimePrecision", testTimePrecision},
		{"Audit", testAudit},
		{"Settings", testSettings},
		{"SearchRenders", testSearchRenders},
		{"Usage", testUsage},
		{"APIKeys", testAPIKeys},
		{"WebhookDeliveries", testWebhookDeliveries},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

func openStore(t *testing.T, url, dataDir string) store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, url, dataDir, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	return s
}

func fptr(v float64) *float64 { return &v }

// fullSpec sets every field of a Spec, including the pointer FadeOut.
func fullSpec(fadeOut *float64) simvid.Spec {
	return simvid.Spec{
		Output:   simvid.Output{Resolution: "1280x720", FPS: 25, Quality: "high"},
		Defaults: simvid.SlideDefaults{Duration: 3.5, Fit: "blur", Motion: "none", Background: "#112233"},
		Slides: []simvid.Slide{
			{ID: "sld_1", Asset: "img_1", Duration: 4.25, Fit: "cover", Motion: "zoom-in",
				Caption: "Day one — café \"quoted\"", Focus: []float64{0.5, 0.3}, Transition: "wipeleft"},
			{ID: "sld_2", Asset: "img_2"},
		},
		Transition: simvid.TransitionSpec{Name: "fade", Duration: 0.6},
		Audio:      []simvid.AudioClip{{Asset: "aud_1", Start: 30, End: 70.5}},
		Music:      simvid.MusicSpec{Fit: "trim", FadeIn: 0.5, FadeOut: fadeOut, Volume: 0.8},
	}
}

func newProject(t *testing.T, s store.Store, mod func(p *simvid.Project)) *simvid.Project {
	t.Helper()
	p := &simvid.Project{ID: simvid.NewID(simvid.PrefixProject), Spec: fullSpec(fptr(2))}
	if mod != nil {
		mod(p)
	}
	if err := s.CreateProject(context.Background(), p); err != nil {
		t.Fatalf("CreateProject: %v", err)
	}
	return p
}

func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if simvid.ErrorCode(err) != code {
		t.Fatalf("%s: error %v has code %q, want %q", what, err, simvid.ErrorCode(err), code)
	}
}

// at is a fixed instant with nanoseconds and a non-UTC zone, to test normalisation.
func at(sec int) time.Time {
	return time.Date(2024, 3, 5, 10, 11, sec, 123456789, time.FixedZone("CET", 3600))
}

func testTimePrecision(t *testing.T, s store.Store) {
	ctx := context.Background()
	in := at(7)
	p := newProject(t, s, func(p *simvid.Project) { p.CreatedAt, p.UpdatedAt = in, in.Add(time.Millisecond) })
	got, err := s.GetProject(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(in.Truncate(time.Microsecond)) || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("CreatedAt %v, want %v in UTC", got.CreatedAt, in.Truncate(time.Microsecond))
	}
	if d := got.UpdatedAt.Sub(got.CreatedAt); d != time.Millisecond {
		t.Fatalf("UpdatedAt - CreatedAt = %v, want 1ms", d)
	}
}
