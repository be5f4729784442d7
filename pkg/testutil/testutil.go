// Package testutil holds what simvid's tests share: tool checks that skip loudly (or fail
// under `make test`), generated pictures and sounds, and output checks with ffprobe.
package testutil

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/ffmpeg"
)

// RequireEnv is set by `make test`: a test that would skip for a missing tool fails instead,
// so nothing is silently left out.
const RequireEnv = "SIMVID_REQUIRE_TOOLS"

// Need skips the test when a binary is missing, loudly, or fails it under `make test`.
func Need(t testing.TB, bins ...string) {
	t.Helper()
	for _, b := range bins {
		if _, err := exec.LookPath(b); err != nil {
			Missing(t, b+" is not installed (make test installs it)")
		}
	}
}

// Missing skips (or, under `make test`, fails) with a reason.
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(RequireEnv) != "" {
		t.Fatalf("required tool missing: %s", why)
	}
	t.Skipf("SKIPPED LOUDLY: %s", why)
}

// Image writes a w x h picture of one colour (an ffmpeg colour name or 0xRRGGBB) to dir/name;
// the file extension picks the format.
func Image(t testing.TB, dir, name string, w, h int, color string) string {
	t.Helper()
	Need(t, "ffmpeg")
	out := filepath.Join(dir, name)
	run(t, "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c="+color+":s="+itoa(w)+"x"+itoa(h)+":d=1",
		"-frames:v", "1", out)
	return out
}

// SplitImage writes a picture whose left half is left and right half is right: after a wrong
// rotation the halves are somewhere else, so sampling pixels proves orientation.
func SplitImage(t testing.TB, dir, name string, w, h int, left, right string) string {
	t.Helper()
	Need(t, "ffmpeg")
	out := filepath.Join(dir, name)
	half := itoa(w/2) + "x" + itoa(h)
	run(t, "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c="+left+":s="+half+":d=1",
		"-f", "lavfi", "-i", "color=c="+right+":s="+half+":d=1", "-filter_complex", "[0][1]hstack", "-frames:v", "1", out)
	return out
}

// Tone writes a sine tone of the given seconds to dir/name (format by extension).
func Tone(t testing.TB, dir, name string, seconds float64) string {
	t.Helper()
	Need(t, "ffmpeg")
	out := filepath.Join(dir, name)
	run(t, "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration="+ftoa(seconds), out)
	return out
}

// Clip writes a w x h H.264 video clip of the given seconds at 30 fps, a test pattern with a
// sine tone, to dir/name (container by extension: .mp4, .mov, .mkv...).
func Clip(t testing.TB, dir, name string, w, h int, seconds float64) string {
	t.Helper()
	Need(t, "ffmpeg")
	out := filepath.Join(dir, name)
	d := ftoa(seconds)
	run(t, "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=s="+strconv.Itoa(w)+"x"+strconv.Itoa(h)+":r=30:d="+d,
		"-f", "lavfi", "-i", "sine=frequency=440:duration="+d, "-c:v", "libx264", "-preset", "ultrafast",
		"-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", out)
	return out
}

// Probe runs ffprobe on a file, counting frames exactly.
func Probe(t testing.TB, path string) *ffmpeg.Probe {
	t.Helper()
	Need(t, "ffprobe")
	p, err := ffmpeg.New("", "", zap.NewNop()).ProbeFile(context.Background(), path, time.Minute, true)
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	return p
}

// DecodeErrors decodes a whole file and returns what ffmpeg says at level error (nothing for
// a clean file).
func DecodeErrors(t testing.TB, path string) string {
	t.Helper()
	out, _ := exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "null", "-").CombinedOutput()
	return string(out)
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}
