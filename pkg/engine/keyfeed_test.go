package engine

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestStillKeyframesFedOnce: a group of four slides with fades (three fades and the last hold
// to encode; the holds before it take their first frames from the fades) whose keyframes
// runs each need a batch of their own within the memory budget (as two 1080p fades do
// within the default one: every output of a batch keeps its x264) is made by one ffmpeg,
// one x264 fed the stills. Its video decodes to what the batches make, frame by frame (SSIM
// 0.99 or more, the same frames, size, pixel format and colour tags), and its segments join
// by a copy of their samples (the same parameter sets).
func TestStillKeyframesFedOnce(t *testing.T) {
	k := newKit(t)
	_, p, ctx := batchShow(k, 4)
	g := wholeGroup(p)
	enc := EncoderFor(p, 1, 1)
	oneFade := int64(batchBase + fadeBytesPerPixel*640*480)
	k.eng.batchMem = oneFade
	if _, err := k.eng.EncodeGroup(ctx, g, enc, nil); err != nil {
		t.Fatal(err)
	}
	if n := keyframeRuns(k); n != 1 {
		t.Errorf("%d keyframes runs for the group, want 1 (one x264 for its 4 runs)", n)
	}
	old, ff := k.aloneIn(ctx, p, "batches")
	old.batchMem, old.batchOnly = oneFade, true
	if _, err := old.EncodeGroup(ctx, g, enc, nil); err != nil {
		t.Fatal(err)
	}
	if n := kindRuns(ff, ffmpeg.KindKeyframes); n != 4 {
		t.Errorf("%d keyframes runs in batches of one fade's memory, want 4", n)
	}

	joined := &render.Plan{W: p.W, H: p.H, FPS: p.FPS, Segments: g.Segments}
	fed, batched := filepath.Join(k.dir, "fed.mp4"), filepath.Join(k.dir, "batched.mp4")
	for _, c := range []struct {
		eng *Engine
		out string
	}{{k.eng, fed}, {old, batched}} {
		if _, err := c.eng.Assemble(ctx, joined, "", c.out); err != nil {
			t.Fatal(err)
		}
	}
	if n := kindRuns(k.ff, ffmpeg.KindJoin); n != 0 {
		t.Errorf("%d ffmpeg joins: the fed segments do not join by a copy", n)
	}
	for i, v := range testutil.FramesSSIM(t, fed, batched) {
		if v < 0.99 {
			t.Errorf("frame %d: SSIM %.4f against the batches' video, want >= 0.99", i, v)
		}
	}
	if got, want := probeVideo(t, fed), probeVideo(t, batched); got != want {
		t.Errorf("fed: %s, the batches': %s", got, want)
	}
}

// TestStillKeyframesFedCancel: cancelling a group while its one fed keyframes run encodes
// stops it, makes no segment and leaves no raw stream behind.
func TestStillKeyframesFedCancel(t *testing.T) {
	k := newKit(t)
	_, p, sctx := batchShow(k, 4)
	g := wholeGroup(p)
	enc := EncoderFor(p, 1, 1)
	ctx, cancel := context.WithCancel(sctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := k.eng.EncodeGroup(ctx, g, enc, nil)
		done <- err
	}()
	tmp := filepath.Join(k.dir, "tmp")
	deadline := time.Now().Add(30 * time.Second)
	for seen := false; !seen; {
		raws, _ := filepath.Glob(filepath.Join(tmp, "keyframes-fed-*.h264"))
		seen = len(raws) > 0
		select {
		case err := <-done:
			t.Fatalf("the group ended before its fed run was seen: %v", err)
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("never saw the fed run's raw output")
		}
	}
	cancelledCleanly(t, k, g, tmp, done, cancel, "fed run")
}

// probeVideo is a video's frame count, size, pixel format and colour tags.
func probeVideo(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
		"-show_entries", "stream=nb_read_frames,width,height,pix_fmt,color_space,color_range,color_primaries,color_transfer",
		"-of", "compact=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	return strings.TrimSpace(string(out))
}
