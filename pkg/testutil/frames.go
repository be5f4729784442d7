package testutil

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// GrayFrames decodes every frame of a w x h video into 8-bit luma planes.
func GrayFrames(t testing.TB, video string, w, h int) [][]byte {
	t.Helper()
	Need(t, "ffmpeg")
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", video, "-vf", "format=gray",
		"-f", "rawvideo", "-").Output()
	if err != nil {
		t.Fatalf("decode %s: %v", video, err)
	}
	n := w * h
	if len(out)%n != 0 {
		t.Fatalf("decode %s: %d bytes is not a whole number of %dx%d frames", video, len(out), w, h)
	}
	var frames [][]byte
	for i := 0; i < len(out); i += n {
		frames = append(frames, out[i:i+n])
	}
	return frames
}

// Centroid returns the brightness-weighted centre of the pixels of a w-wide luma plane
// brighter than threshold, and their total weight (0: none).
func Centroid(plane []byte, w int, threshold byte) (x, y, weight float64) {
	for i, v := range plane {
		if v <= threshold {
			continue
		}
		wt := float64(v - threshold)
		x += wt * float64(i%w)
		y += wt * float64(i/w)
		weight += wt
	}
	if weight == 0 {
		return 0, 0, 0
	}
	return x / weight, y / weight, weight
}

// Itoa is strconv.Itoa for test code that builds ffmpeg arguments.
func Itoa(n int) string { return strconv.Itoa(n) }

// FramesSSIM is the SSIM (All) of each frame of video a against the same frame of b, from
// ffmpeg's ssim filter; it fails the test when ffmpeg gives none.
func FramesSSIM(t testing.TB, a, b string) []float64 {
	t.Helper()
	Need(t, "ffmpeg")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-i", a, "-i", b,
		"-lavfi", "[0:v][1:v]ssim=stats_file=-", "-f", "null", "-").Output()
	if err != nil {
		t.Fatalf("ssim of %s and %s: %v", a, b, err)
	}
	var v []float64
	for _, line := range strings.Split(string(out), "\n") {
		_, all, ok := strings.Cut(line, "All:")
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(strings.Fields(all)[0], 64)
		if err != nil {
			t.Fatalf("ssim line %q: %v", line, err)
		}
		v = append(v, f)
	}
	if len(v) == 0 {
		t.Fatalf("no SSIM for %s and %s", a, b)
	}
	return v
}
