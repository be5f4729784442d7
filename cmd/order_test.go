package cmd

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/testutil"
)

// TestRenderCommandOrderTaken: `simvid render --order taken --chapters day` plays pictures
// taken in three time zones by the instant they were taken, not as given nor by their wall
// clocks, with a chapter title before each day (the day in the photo's own offset); checked
// by the colours of the decoded video.
func TestRenderCommandOrderTaken(t *testing.T) {
	testutil.Need(t, "ffmpeg", "ffprobe", "exiftool")
	dir := t.TempDir()
	tokyo := testutil.Image(t, dir, "a.jpg", 160, 120, "red")    // 2025-06-14 23:00Z, Sunday in Tokyo
	newYork := testutil.Image(t, dir, "b.jpg", 160, 120, "blue") // 2025-06-14 11:00Z
	paris := testutil.Image(t, dir, "c.jpg", 160, 120, "lime")   // 2025-06-14 08:00Z
	undated := testutil.Image(t, dir, "d.jpg", 160, 120, "yellow")
	if b, err := exec.Command("exiftool", "-q", "-overwrite_original",
		"-DateTimeOriginal=2025:06:15 08:00:00", "-OffsetTimeOriginal=+09:00", tokyo, "-execute", "-q", "-overwrite_original",
		"-DateTimeOriginal=2025:06:14 07:00:00", "-OffsetTimeOriginal=-04:00", newYork, "-execute", "-q", "-overwrite_original",
		"-DateTimeOriginal=2025:06:14 10:00:00", "-OffsetTimeOriginal=+02:00", paris).CombinedOutput(); err != nil {
		t.Fatalf("exiftool: %v\n%s", err, b)
	}
	outFile := filepath.Join(dir, "out.mp4")
	out, err := run(t, "render", undated, tokyo, newYork, paris, "--order", "taken", "--chapters", "day",
		"--resolution", "640x480", "--duration", "1", "--transition", "none", "--quality", "draft", "-o", outFile)
	if err != nil {
		t.Fatalf("render: %v\n%s", err, out)
	}
	// [Saturday 14 June] 0-2 s, Paris 2-3, New York 3-4, [Sunday 15 June] 4-6, Tokyo 6-7,
	// the undated picture 7-8.
	if v := testutil.Probe(t, outFile).Video(); v == nil || v.Frames() != 8*30 {
		t.Fatalf("video: %+v", v)
	}
	for _, c := range []struct {
		at      float64
		r, g, b uint8
	}{{1, 0, 0, 0}, {2.5, 0, 255, 0}, {3.5, 0, 0, 255}, {5, 0, 0, 0}, {6.5, 255, 0, 0}, {7.5, 255, 255, 0}} {
		r, g, b := testutil.RGB(testutil.Frame(t, outFile, c.at), 0.05, 0.05)
		if !testutil.Near(r, g, b, c.r, c.g, c.b, 40) {
			t.Errorf("at %g s: colour %d,%d,%d, want %d,%d,%d", c.at, r, g, b, c.r, c.g, c.b)
		}
	}
	if _, err := run(t, "render", paris, "--order", "random", "-o", outFile); err == nil || !strings.Contains(err.Error(), "order must be") {
		t.Fatalf("bad order: %v", err)
	}
}
