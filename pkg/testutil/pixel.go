package testutil

import (
	"bytes"
	"image"
	"image/png"
	"os/exec"
	"testing"
)

// Frame extracts the video frame at the given second as an image.
func Frame(t testing.TB, video string, second float64) image.Image {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-ss", ftoa(second), "-i", video, "-frames:v", "1",
		"-f", "image2pipe", "-c:v", "png", "-").Output()
	if err != nil {
		t.Fatalf("extract frame at %gs of %s: %v", second, video, err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("decode frame: %v", err)
	}
	return img
}

// RGB returns the 8-bit colour of a pixel at fractions (fx, fy) of the image's size.
func RGB(img image.Image, fx, fy float64) (r, g, b uint8) {
	bd := img.Bounds()
	x := bd.Min.X + int(fx*float64(bd.Dx()-1))
	y := bd.Min.Y + int(fy*float64(bd.Dy()-1))
	cr, cg, cb, _ := img.At(x, y).RGBA()
	return uint8(cr >> 8), uint8(cg >> 8), uint8(cb >> 8)
}

// Near reports whether two colours are within tol on every channel (video is lossy).
func Near(r, g, b, wr, wg, wb uint8, tol int) bool {
	d := func(a, b uint8) int {
		if a > b {
			return int(a - b)
		}
		return int(b - a)
	}
	return d(r, wr) <= tol && d(g, wg) <= tol && d(b, wb) <= tol
}
