package ffmpeg_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/testutil"
)

// An encoding ffmpeg started by the runner runs every one of its threads (libx264's workers
// included, which it starts after the niceness is set) at the runner's niceness.
func TestRunNicesEveryThread(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	r := ffmpeg.New("", "", zaptest.NewLogger(t)).WithNice(7)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	encoding := make(chan struct{})
	var once sync.Once
	done := make(chan error, 1)
	go func() {
		// -re keeps it encoding for the whole minute; the first progress report means the
		// encoder and its threads are up.
		done <- r.Run(ctx, []string{"-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=60",
			"-c:v", "libx264", "-preset", "ultrafast", "-threads", "4", "-f", "null", "-"},
			func(frames int64) {
				if frames > 0 {
					once.Do(func() { close(encoding) })
				}
			})
	}()
	select {
	case <-encoding:
	case err := <-done:
		t.Fatalf("ffmpeg ended before encoding: %v", err)
	}
	pids := testutil.ChildPIDs(os.Getpid(), "ffmpeg")
	if len(pids) != 1 {
		t.Fatalf("ffmpeg children of the test: %v, want one", pids)
	}
	nices, err := testutil.ThreadNices(pids[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ffmpeg %d: niceness by thread %v", pids[0], nices)
	if len(nices) < 4 {
		t.Errorf("ffmpeg runs %d threads, want the encoder's 4 at least", len(nices))
	}
	for tid, n := range nices {
		if n != 7 {
			t.Errorf("ffmpeg thread %d runs at niceness %d, want 7", tid, n)
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("after cancel: %v, want context.Canceled", err)
	}
}
