package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/app"
	"github.com/simvid/simvid/pkg/testutil"
)

// /readyz probes the bucket of storage.url: ready with good credentials, 503 saying why
// (not where) with bad ones.
func TestReadyzChecksBucket(t *testing.T) {
	s3 := testutil.StartS3(t)
	readyz := func(secret string) (int, string) {
		t.Setenv("AWS_ACCESS_KEY_ID", s3.AccessKey)
		t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
		cfg := testConfig(t, "")
		cfg.Storage.URL = s3.URL("ready")
		base := startApp(t, cfg, app.Roles{Serve: true, EmbeddedRedis: true, Queues: map[string]int{}})
		res, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var body struct{ Error string }
		_ = json.Unmarshal(b, &body)
		return res.StatusCode, body.Error
	}
	if status, msg := readyz(s3.SecretKey); status != 200 {
		t.Fatalf("good bucket: %d %s", status, msg)
	}
	status, msg := readyz("wrong-secret")
	if status != http.StatusServiceUnavailable || !strings.Contains(msg, "object store is not usable: bad credentials") {
		t.Fatalf("wrong secret: %d %q", status, msg)
	}
	if strings.Contains(msg, s3.Addr()) || strings.Contains(msg, s3.Bucket) || strings.Contains(msg, s3.AccessKey) {
		t.Fatalf("readyz tells where the bucket is or whose key: %q", msg)
	}
}

// A process on a bucket counts the bytes it moves to and from the store on /metrics
// (here: /readyz's probe object, written and read back).
func TestMetricsCountStorageBytes(t *testing.T) {
	testutil.Need(t, "ffmpeg", "ffprobe")
	s3 := testutil.StartS3(t)
	s3.Env(t)
	cfg := testConfig(t, "")
	cfg.Storage.URL = s3.URL("metrics")
	cfg.MetricsAddr = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, zaptest.NewLogger(t), app.Roles{Serve: true, EmbeddedRedis: true, Queues: map[string]int{}})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, func() { close(started) }) }()
	defer func() { cancel(); <-done; a.Close() }()
	<-started
	res, err := http.Get("http://" + a.Addr() + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("/readyz: %v %v", err, res)
	}
	res.Body.Close()
	res, err = http.Get("http://" + a.MetricsAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, dir := range []string{"up", "down"} {
		m := regexp.MustCompile(`(?m)^simvid_storage_bytes_total\{direction="` + dir + `"\} (\S+)$`).FindStringSubmatch(string(b))
		if m == nil {
			t.Fatalf("no simvid_storage_bytes_total{direction=%q} in /metrics", dir)
		}
		if n, err := strconv.ParseFloat(m[1], 64); err != nil || n < 50 {
			t.Errorf("simvid_storage_bytes_total{direction=%q} = %s, want the probe's bytes (>= 50)", dir, m[1])
		}
	}
}
