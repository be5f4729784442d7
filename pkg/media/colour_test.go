package media

import (
	"image"
	"os/exec"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/ffargs"
	"github.com/simvid/simvid/pkg/testutil"
)

// rgbAt is the 8-bit colour at fx, fy (parts of the width and height) of a decoded JPEG.
func rgbAt(img image.Image, fx, fy float64) [3]int {
	b := img.Bounds()
	r, g, bl, _ := img.At(b.Min.X+int(fx*float64(b.Dx())), b.Min.Y+int(fy*float64(b.Dy()))).RGBA()
	return [3]int{int(r >> 8), int(g >> 8), int(bl >> 8)}
}

func within(a, b [3]int, tol int) bool {
	for i := range a {
		if d := a[i] - b[i]; d > tol || d < -tol {
			return false
		}
	}
	return true
}

// TestClipHDRPosterToneMapped: an HLG clip's poster and filmstrip are tone-mapped to SDR
// BT.709 as its segments are (ffargs.ToneMap): its mid-grey stays mid-grey and its colour is
// the tone map's. Untouched, the BT.2020 colour (0xc04040 coded as BT.2020) is 30 to 60
// levels off.
func TestClipHDRPosterToneMapped(t *testing.T) {
	f := newFixture(t, clipLimits)
	if out, _ := exec.Command("ffmpeg", "-hide_banner", "-filters").Output(); !strings.Contains(string(out), " zscale ") {
		testutil.Missing(t, "this ffmpeg has no zscale filter (Debian's has, through libzimg)")
	}
	path := f.gen(t, "hlg.mp4", "-f", "lavfi", "-i", "color=c=0x808080:s=160x180:r=30:d=1",
		"-f", "lavfi", "-i", "color=c=0xc04040:s=160x180:r=30:d=1", "-filter_complex", "[0][1]hstack",
		"-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-pix_fmt", "yuv420p10le",
		"-color_trc", "arib-std-b67", "-color_primaries", "bt2020", "-colorspace", "bt2020nc", "-t", "1")
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-frames:v", "1", "-vf",
		"scale=320:180:out_range=tv,setsar=1,"+ffargs.ToneMap("hlg")+",crop=2:2:240:90,format=rgb24",
		"-f", "rawvideo", "-").Output()
	if err != nil || len(out) < 3 {
		t.Fatalf("tone-mapping a frame: %v", err)
	}
	want := [3]int{int(out[0]), int(out[1]), int(out[2])}
	a, err := f.image(t, path, "hlg.mp4")
	if err != nil {
		t.Fatal(err)
	}
	poster, strip := f.clipFiles(t, a)
	p, s := decodeJPEG(t, poster), decodeJPEG(t, strip)
	grey := [3]int{128, 128, 128}
	if got := rgbAt(p, 0.25, 0.5); !within(got, grey, 12) {
		t.Errorf("the poster's mid-grey is %v", got)
	}
	if got := rgbAt(p, 0.75, 0.5); !within(got, want, 8) {
		t.Errorf("the poster's colour is %v, the tone-mapped clip's %v", got, want)
	}
	// The strip's first frame is its first tenth.
	if got := rgbAt(s, 0.025, 0.5); !within(got, grey, 12) {
		t.Errorf("the filmstrip's mid-grey is %v", got)
	}
	if got := rgbAt(s, 0.075, 0.5); !within(got, want, 8) {
		t.Errorf("the filmstrip's colour is %v, the tone-mapped clip's %v", got, want)
	}
}
