package cmd

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/simvid/simvid/pkg/testutil"
)

// TestRenderCommandClip: simvid render takes a phone's mixed gallery, a photo and a portrait
// clip with sound (stored landscape with a rotation matrix), and makes one video: the photo,
// then the clip upright for its own length, with the clip's sound and no music.
func TestRenderCommandClip(t *testing.T) {
	testutil.Need(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	photo := testutil.Image(t, dir, "a.jpg", 160, 120, "red")
	// Stored 320x180: the left half blue, the right half lime; turned upright (the matrix
	// ffmpeg 5.1 writes for rotate=90 when stream-copying) it is 180x320 with one colour on
	// top and the other below.
	coded := filepath.Join(dir, "coded.mp4")
	if b, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=blue:s=160x180:r=30:d=1.5",
		"-f", "lavfi", "-i", "color=lime:s=160x180:r=30:d=1.5", "-f", "lavfi", "-i", "sine=f=440:d=1.5",
		"-filter_complex", "[0][1]hstack", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", coded).CombinedOutput(); err != nil {
		t.Fatalf("make clip: %v\n%s", err, b)
	}
	clip := filepath.Join(dir, "phone.mp4")
	if b, err := exec.Command("ffmpeg", "-v", "error", "-i", coded, "-c", "copy", "-metadata:s:v:0", "rotate=90", clip).CombinedOutput(); err != nil {
		t.Fatalf("rotate clip: %v\n%s", err, b)
	}
	outFile := filepath.Join(dir, "out.mp4")
	out, err := run(t, "render", photo, clip, "--resolution", "480x640", "--duration", "1", "--transition", "none",
		"--quality", "draft", "-o", outFile)
	if err != nil {
		t.Fatalf("render: %v\n%s", err, out)
	}
	p := testutil.Probe(t, outFile)
	if v := p.Video(); v == nil || v.Frames() != 75 || v.Width != 480 || v.Height != 640 {
		t.Fatalf("video: %+v; want 75 frames (1 s + 1.5 s at 30 fps) of 480x640", v)
	}
	if p.Audio() == nil {
		t.Fatal("no audio: the clip's sound is missing")
	}
	frame := testutil.Frame(t, outFile, 1.75)
	rt, gt, bt := testutil.RGB(frame, 0.5, 0.3)
	rb, gb, bb := testutil.RGB(frame, 0.5, 0.7)
	// Upright as ffmpeg itself turns the clip (its CLI applies the matrix when it decodes).
	upright := testutil.Frame(t, clip, 0.75)
	if upright.Bounds().Dx() != 180 {
		t.Fatalf("ffmpeg shows the clip %v; want it turned to 180x320", upright.Bounds())
	}
	wr, wg, wb := testutil.RGB(upright, 0.5, 0.3)
	xr, xg, xb := testutil.RGB(upright, 0.5, 0.7)
	if r, g, b := testutil.RGB(testutil.Frame(t, outFile, 0.5), 0.5, 0.5); !testutil.Near(r, g, b, 255, 0, 0, 40) {
		t.Errorf("the photo at 0.5 s: %d,%d,%d", r, g, b)
	}
	if testutil.Near(wr, wg, wb, xr, xg, xb, 60) {
		t.Fatalf("the upright clip is one colour top and bottom (%d,%d,%d)", wr, wg, wb)
	}
	if !testutil.Near(rt, gt, bt, wr, wg, wb, 60) || !testutil.Near(rb, gb, bb, xr, xg, xb, 60) {
		t.Errorf("the clip at 1.75 s: top %d,%d,%d, bottom %d,%d,%d; want %d,%d,%d over %d,%d,%d (upright)",
			rt, gt, bt, rb, gb, bb, wr, wg, wb, xr, xg, xb)
	}
}
