package objstore_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The store restarting under a render: calls made while it is down are retried by the
// client and complete once it is back, uploads and downloads alike.
func TestCallsRideOutARestart(t *testing.T) {
	b, s3 := open(t, "r")
	ctx, dir := ctxT(t), t.TempDir()
	data := bytes.Repeat([]byte("segment!"), 50_000)
	src := writeFile(t, dir, "seg.mp4", data)
	if err := b.PutFile(ctx, "before", src, "video/mp4"); err != nil {
		t.Fatal(err)
	}
	s3.Stop()
	restarted := make(chan struct{})
	go func() {
		time.Sleep(700 * time.Millisecond)
		s3.Start()
		close(restarted)
	}()
	start := time.Now()
	if err := b.PutFile(ctx, "during", src, "video/mp4"); err != nil {
		t.Fatalf("upload while the store restarts: %v", err)
	}
	<-restarted
	if time.Since(start) < 500*time.Millisecond {
		t.Fatal("the upload finished before the store was back: the test proves nothing")
	}
	for _, k := range []string{"before", "during"} {
		dst := filepath.Join(dir, k)
		if err := b.Get(ctx, k, dst); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) {
			t.Fatalf("%s: %d bytes back", k, len(got))
		}
	}
}

// TestRideOutRestart: the server is killed and started again 9 s later on the same port (a
// restart longer than the S3 client's default retries last, 8.4 s at most). An upload, a
// download and a stat asked for while it is down wait and succeed once it is back, while a
// probe, asked for meanwhile, says at once that the store is unreachable.
func TestRideOutRestart(t *testing.T) {
	b, s3 := open(t, "restart")
	ctx := ctxT(t)
	dir := t.TempDir()
	src := writeFile(t, dir, "in", []byte("segment bytes"))
	if err := b.PutFile(ctx, "cache/segments/a.mp4", src, "video/mp4"); err != nil {
		t.Fatal(err)
	}
	s3.Stop()
	down := time.Now()
	errs := make(chan error, 3)
	go func() { errs <- b.PutFile(ctx, "cache/segments/b.mp4", src, "video/mp4") }()
	go func() { errs <- b.Get(ctx, "cache/segments/a.mp4", filepath.Join(dir, "a.mp4")) }()
	go func() { _, err := b.Stat(ctx, "cache/segments/a.mp4"); errs <- err }()

	short, cancel := context.WithTimeout(ctx, 9*time.Second)
	err := b.Probe(short)
	cancel()
	if err == nil || !strings.Contains(err.Error(), "unreachable endpoint") || time.Since(down) > 9*time.Second {
		t.Errorf("probe with the store down: %v after %v; want unreachable endpoint, within the 9 s", err, time.Since(down))
	}
	time.Sleep(time.Until(down.Add(9 * time.Second)))
	s3.Start()
	t.Logf("server back after %v", time.Since(down).Round(10*time.Millisecond))
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatalf("a request asked for while the store restarted: %v", err)
		}
	}
	t.Logf("every request done %v after the kill", time.Since(down).Round(10*time.Millisecond))
	if got, err := os.ReadFile(filepath.Join(dir, "a.mp4")); err != nil || string(got) != "segment bytes" {
		t.Fatalf("download through the restart: %q, %v", got, err)
	}
	if _, err := b.Stat(ctx, "cache/segments/b.mp4"); err != nil {
		t.Fatalf("upload through the restart is not there: %v", err)
	}
}
