package app_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/testutil"
)

// The dashboard's stored numbers are Prometheus metrics too.
func TestAdminMetrics(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	cfg := testConfig(t, "")
	cfg.MetricsAddr = "127.0.0.1:0"
	cfg.Admin.Password = adminPassword
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, zaptest.NewLogger(t), app.Roles{Serve: true, EmbeddedRedis: true, Queues: map[string]int{}})
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, func() { close(started) }) }()
	defer func() { cancel(); <-done; a.Close() }()
	<-started
	c := &client{t: t, base: "http://" + a.Addr()}
	pid := c.json("POST", "/api/v1/projects", nil).JSON(t)["id"].(string)
	img := testutil.Image(t, t.TempDir(), "a.png", 64, 48, "red")
	if r := c.upload("/api/v1/projects/"+pid+"/images", "images", []string{img}, nil); r.Status != 200 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	res, err := http.Get("http://" + a.MetricsAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{
		"simvid_projects 1", `simvid_stored_files{kind="image"} 1`, `simvid_stored_files{kind="render"} 0`,
		`simvid_stored_bytes{kind="image"} `, "simvid_renders_unfinished 0", `simvid_queue_latency_seconds{queue="video"} 0`,
		`simvid_queue_jobs{queue="audio",set="dead"} 0`, "simvid_disk_free_bytes ", "simvid_admin_enabled 1",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
