package cmd

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/testutil"
)

// TestRenderCommandClip: simvid render takes a phone's mixed gallery, a photo, a portrait
// HEVC 10-bit HLG clip with sound (stored landscape with a rotation matrix) and a landscape
// H.264 clip, and makes one SDR BT.709 video: the photo, then each clip for its own length,
// the portrait one upright and tone-mapped, with the clip's sound and no music.
func TestRenderCommandClip(t *testing.T) {
	testutil.Need(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	photo := testutil.Image(t, dir, "a.jpg", 160, 120, "red")
	// Stored 320x180: the left half blue, the right half lime, HEVC 10-bit tagged HLG as a
	// recent phone writes it; turned upright (the matrix ffmpeg 5.1 writes for rotate=90 when
	// stream-copying) it is 180x320 with one colour on top and the other below.
	coded := filepath.Join(dir, "coded.mp4")
	if b, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=blue:s=160x180:r=30:d=1.5",
		"-f", "lavfi", "-i", "color=lime:s=160x180:r=30:d=1.5", "-f", "lavfi", "-i", "sine=f=440:d=1.5",
		"-filter_complex", "[0][1]hstack", "-c:v", "libx265", "-x265-params", "log-level=error", "-pix_fmt", "yuv420p10le",
		"-color_primaries", "bt2020", "-color_trc", "arib-std-b67", "-colorspace", "bt2020nc", "-tag:v", "hvc1",
		"-c:a", "aac", "-shortest", coded).CombinedOutput(); err != nil {
		t.Fatalf("make clip: %v\n%s", err, b)
	}
	// The landscape clip: one second of yellow, H.264 8-bit, no sound.
	land := filepath.Join(dir, "land.mp4")
	if b, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=yellow:s=320x180:r=30:d=1",
		"-c:v", "libx264", "-pix_fmt", "yuv420p", land).CombinedOutput(); err != nil {
		t.Fatalf("make landscape clip: %v\n%s", err, b)
	}
	clip := filepath.Join(dir, "phone.mp4")
	if b, err := exec.Command("ffmpeg", "-v", "error", "-i", coded, "-c", "copy", "-metadata:s:v:0", "rotate=90", clip).CombinedOutput(); err != nil {
		t.Fatalf("rotate clip: %v\n%s", err, b)
	}
	outFile := filepath.Join(dir, "out.mp4")
	out, err := run(t, "render", photo, clip, land, "--resolution", "480x640", "--duration", "1", "--transition", "none",
		"--quality", "draft", "-o", outFile)
	if err != nil {
		t.Fatalf("render: %v\n%s", err, out)
	}
	p := testutil.Probe(t, outFile)
	if v := p.Video(); v == nil || v.Frames() != 105 || v.Width != 480 || v.Height != 640 {
		t.Fatalf("video: %+v; want 105 frames (1 s + 1.5 s + 1 s at 30 fps) of 480x640", v)
	}
	if out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
		"stream=pix_fmt,color_space,color_transfer,color_primaries", "-of", "csv=p=0", outFile).Output(); err != nil ||
		strings.TrimSpace(string(out)) != "yuv420p,bt709,bt709,bt709" {
		t.Errorf("the video's format and colour: %q %v; want 8-bit SDR BT.709", out, err)
	}
	if r, g, b := testutil.RGB(testutil.Frame(t, outFile, 3.0), 0.5, 0.5); !testutil.Near(r, g, b, 255, 255, 0, 50) {
		t.Errorf("the landscape clip at 3.0 s: %d,%d,%d; want yellow", r, g, b)
	}
	if p.Audio() == nil {
		t.Fatal("no audio: the clip's sound is missing")
	}
	frame := testutil.Frame(t, outFile, 1.75)
	rt, gt, bt := testutil.RGB(frame, 0.5, 0.3)
	rb, gb, bb := testutil.RGB(frame, 0.5, 0.7)
	// Upright as ffmpeg itself turns the clip (its CLI applies the matrix when it decodes):
	// which colour is on top. The tone map moves the colours, not which channel leads.
	upright := testutil.Frame(t, clip, 0.75)
	if upright.Bounds().Dx() != 180 {
		t.Fatalf("ffmpeg shows the clip %v; want it turned to 180x320", upright.Bounds())
	}
	wr, wg, wb := testutil.RGB(upright, 0.5, 0.3)
	xr, xg, xb := testutil.RGB(upright, 0.5, 0.7)
	if r, g, b := testutil.RGB(testutil.Frame(t, outFile, 0.5), 0.5, 0.5); !testutil.Near(r, g, b, 255, 0, 0, 40) {
		t.Errorf("the photo at 0.5 s: %d,%d,%d", r, g, b)
	}
	lead := func(r, g, b uint8) string { // the channel that leads: "blue" or "lime"
		if b > g {
			return "blue"
		}
		return "lime"
	}
	top, bottom := lead(wr, wg, wb), lead(xr, xg, xb)
	if top == bottom {
		t.Fatalf("the upright clip is one colour top and bottom (%d,%d,%d)", wr, wg, wb)
	}
	if lead(rt, gt, bt) != top || lead(rb, gb, bb) != bottom || max(rt, rb) > 80 {
		t.Errorf("the clip at 1.75 s: top %d,%d,%d, bottom %d,%d,%d; want %s over %s (upright)",
			rt, gt, bt, rb, gb, bb, top, bottom)
	}
}
