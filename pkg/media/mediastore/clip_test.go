package mediastore_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestClipStored: a clip taken in on host A puts its original, poster and filmstrip in the
// store; host B, whose directory is empty, reads the filmstrip; deleting the asset removes
// all three objects.
func TestClipStored(t *testing.T) {
	testutil.Need(t, "ffmpeg", "ffprobe")
	_, b, a, hb := twoHosts(t)
	ctx := context.Background()
	clip := filepath.Join(t.TempDir(), "c.mp4")
	if out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=s=320x180:r=30:d=1",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	body, err := os.ReadFile(clip)
	if err != nil {
		t.Fatal(err)
	}
	log := zaptest.NewLogger(t)
	in := media.NewIntake(ffmpeg.New("", "", log), a, media.Limits{FileBytes: 1 << 20, ClipBytes: 8 << 20, ProbeTimeout: 10 * time.Second}, log)
	pid := simvid.NewID(simvid.PrefixProject)
	asset, err := in.Image(ctx, pid, "c.mp4", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if asset.Kind != simvid.KindClip {
		t.Fatalf("kind %s, want clip", asset.Kind)
	}
	orig, _ := a.Original(pid, asset.ID)
	poster, _ := a.Thumbnail(pid, asset.ID)
	strip, _ := a.Filmstrip(pid, asset.ID)
	var keys []string
	for _, p := range []string{orig, poster, strip} {
		k, err := a.Key(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := stored(t, b, k); !ok {
			t.Errorf("%s is not in the store", k)
		}
		keys = append(keys, k)
	}
	stripB, _ := hb.Filmstrip(pid, asset.ID)
	if local, err := hb.Local(ctx, stripB); err != nil || read(t, local) != read(t, strip) {
		t.Errorf("host B's filmstrip: %v", err)
	}
	if err := a.DeleteAsset(pid, asset.ID); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if _, ok := stored(t, b, k); ok {
			t.Errorf("%s is still in the store", k)
		}
	}
}
