package testutil

import (
	"os/exec"
	"strconv"
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
