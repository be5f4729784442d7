package media

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/simvid"
)

// testLimits are generous except where a test narrows them.
var testLimits = Limits{FileBytes: 25 << 20, ImagePixels: 60_000_000, AudioSeconds: 1200, ProbeTimeout: 10 * time.Second}

type fixture struct {
	in  *Intake
	st  *Files
	ff  *ffmpeg.Runner
	pid string
	dir string // scratch directory for generated inputs
}

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIPPED LOUDLY: %s is not installed; `make test` installs it", tool)
		}
	}
}

func newFixture(t *testing.T, lim Limits) *fixture {
	t.Helper()
	needTools(t, "ffmpeg", "ffprobe")
	st, err := NewFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	log := zaptest.NewLogger(t)
	ff := ffmpeg.New("", "", log)
	return &fixture{in: NewIntake(ff, st, lim, log), st: st, ff: ff, pid: simvid.NewID(simvid.PrefixProject), dir: t.TempDir()}
}

// gen runs ffmpeg to make a test input named name in the scratch directory.
func (f *fixture) gen(t *testing.T, name string, args ...string) string {
	t.Helper()
	out := filepath.Join(f.dir, name)
	args = append(append([]string{"-hide_banner", "-loglevel", "error", "-y"}, args...), out)
	if b, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, b)
	}
	return out
}

// redBlue makes a 64x48 picture whose left half is red and right half blue.
func (f *fixture) redBlue(t *testing.T, name string) string {
	t.Helper()
	return f.gen(t, name, "-f", "lavfi", "-i", "color=red:s=32x48,format=rgb24[a];color=blue:s=32x48,format=rgb24[b];[a][b]hstack",
		"-frames:v", "1")
}

func exiftool(t *testing.T, args ...string) string {
	t.Helper()
	needTools(t, "exiftool")
	b, err := exec.Command("exiftool", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("exiftool %v: %v\n%s", args, err, b)
	}
	return string(b)
}

// upload runs Image (or Audio) on a file from disk, named name.
func (f *fixture) image(t *testing.T, path, name string) (*simvid.Asset, error) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return f.in.Image(context.Background(), f.pid, name, bytes.NewReader(b))
}

func (f *fixture) audio(t *testing.T, path, name string) (*simvid.Asset, error) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return f.in.Audio(context.Background(), f.pid, name, bytes.NewReader(b))
}

// decodeJPEG reads a thumbnail with Go's decoder (which ignores EXIF: what is stored is what
// a browser shows).
func decodeJPEG(t *testing.T, path string) image.Image {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = fh.Close() }()
	img, err := jpeg.Decode(fh)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// colourAt names the dominant colour at fractional position (fx, fy): "red", "blue" or "?".
func colourAt(img image.Image, fx, fy float64) string {
	b := img.Bounds()
	r, g, bl, _ := img.At(b.Min.X+int(fx*float64(b.Dx())), b.Min.Y+int(fy*float64(b.Dy()))).RGBA()
	switch {
	case r > 0xC000 && g < 0x4000 && bl < 0x4000:
		return "red"
	case bl > 0xC000 && r < 0x4000 && g < 0x4000:
		return "blue"
	}
	return "?"
}

// dirEmpty fails the test when dir holds any file (directories may remain).
func dirEmpty(t *testing.T, dir string) {
	t.Helper()
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("left on disk: %s", p)
		}
		return nil
	})
}

// wantCode fails unless err is a simvid error with code whose message contains each part.
func wantCode(t *testing.T, err error, code string, parts ...string) {
	t.Helper()
	if !simvid.IsCode(err, code) {
		t.Fatalf("err = %v, want code %s", err, code)
	}
	msg := simvid.ErrorMessage(err)
	for _, p := range parts {
		if !bytes.Contains([]byte(msg), []byte(p)) {
			t.Errorf("message %q lacks %q", msg, p)
		}
	}
}
