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

// /metrics on its own address carries the HTTP, queue and render metrics; /readyz answers.
func TestMetricsAndReadiness(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	cfg := testConfig(t, "")
	cfg.MetricsAddr = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, zaptest.NewLogger(t), app.Roles{Serve: true, EmbeddedRedis: true,
		Queues: map[string]int{"video": 1, "audio": 1}})
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, func() { close(started) }) }()
	defer func() { cancel(); <-done; a.Close() }()
	<-started
	for _, path := range []string{"/readyz", "/healthz", "/api/v1/capabilities"} {
		res, err := http.Get("http://" + a.Addr() + path)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%s: %v %v", path, err, res)
		}
		res.Body.Close()
	}
	res, err := http.Get("http://" + a.MetricsAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{
		`simvid_http_request_duration_seconds_count{method="GET",route="/readyz",status="200"} 1`,
		`simvid_queue_depth{queue="video"} 0`, `simvid_queue_depth{queue="audio"} 0`,
		"simvid_render_seconds", `simvid_worker_busy{queue="video"} 0`, `simvid_renders_total{outcome="failed"} 0`, "process_resident_memory_bytes",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
