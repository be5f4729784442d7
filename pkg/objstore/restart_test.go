package objstore_test

import (
	"bytes"
	"os"
	"path/filepath"
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
