package mediastore_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/media/mediastore"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/testutil"
)

// gatedRemote is the real store whose uploads wait for open: a slow or distant bucket.
type gatedRemote struct {
	media.Remote
	open    chan struct{}
	entered atomic.Int32
}

func (g *gatedRemote) PutFile(ctx context.Context, key, path string) error {
	g.entered.Add(1)
	<-g.open
	return g.Remote.PutFile(ctx, key, path)
}

// A picture's decode turn ends with its decode, not with the uploads of its files: with one
// turn, a second upload's picture is decoded while the first's files are still on their way
// to the store (before, it waited for them, and a slow store left the cores idle).
func TestIntakeTurnNotHeldThroughUploads(t *testing.T) {
	testutil.Need(t, "ffmpeg", "ffprobe")
	_, b, _, _ := twoHosts(t)
	g := &gatedRemote{Remote: mediastore.New(b), open: make(chan struct{})}
	files, err := media.NewRemoteFiles(t.TempDir(), g, 0)
	if err != nil {
		t.Fatal(err)
	}
	log := zaptest.NewLogger(t)
	in := media.NewIntake(ffmpeg.New("", "", log), files, media.Limits{FileBytes: 1 << 20, ImagePixels: 1 << 20,
		ProbeTimeout: 20 * time.Second, Decodes: 1}, log)
	pid := simvid.NewID(simvid.PrefixProject)
	pic := filepath.Join(t.TempDir(), "p.png")
	if out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "color=red:s=64x48",
		"-frames:v", "1", pic).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	body, err := os.ReadFile(pic)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	take := func() {
		_, err := in.Image(context.Background(), pid, "p.png", bytes.NewReader(body))
		errs <- err
	}
	go take()
	waitUntil(t, "the first picture's upload", func() bool { return g.entered.Load() >= 1 })
	go take()
	// The second picture reaches the store only if it was decoded while the first upload waits.
	ok := waitFor(20*time.Second, func() bool { return g.entered.Load() >= 2 })
	close(g.open)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("intake: %v", err)
		}
	}
	if !ok {
		t.Fatal("the second picture was not decoded while the first one's files were uploading: the decode turn is held through the uploads")
	}
}

func waitFor(within time.Duration, ok func() bool) bool {
	for end := time.Now().Add(within); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if ok() {
			return true
		}
	}
	return ok()
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	if !waitFor(20*time.Second, ok) {
		t.Fatalf("timed out waiting for %s", what)
	}
}
