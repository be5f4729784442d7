package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
)

func TestImageFormats(t *testing.T) {
	f := newFixture(t, testLimits)
	// The colour model each header declares for redBlue's 8-bit RGB (libwebp writes it lossy).
	models := map[string]string{"jpeg": "ycbcr", "png": "rgb", "gif": "paletted", "webp": "ycbcr", "bmp": "rgb", "tiff": "rgb"}
	for _, ext := range []string{"jpeg", "png", "gif", "webp", "bmp", "tiff"} {
		t.Run(ext, func(t *testing.T) {
			src := f.redBlue(t, "in."+ext)
			a, err := f.image(t, src, `C:\fakepath\holiday `+ext+"\x07.x")
			if err != nil {
				t.Fatal(err)
			}
			if !simvid.ValidID(simvid.PrefixImage, a.ID) || a.ProjectID != f.pid || a.Kind != simvid.KindImage ||
				a.State != simvid.AssetReady || a.Format != ext || a.Width != 64 || a.Height != 48 ||
				a.Orientation != 1 || a.PixFmt != models[ext] || a.CreatedAt.IsZero() {
				t.Fatalf("asset = %+v", a)
			}
			if a.OriginalName != "holiday "+ext+".x" {
				t.Errorf("name = %q", a.OriginalName)
			}
			raw, _ := os.ReadFile(src)
			sum := sha256.Sum256(raw)
			if a.SHA256 != hex.EncodeToString(sum[:]) || a.Size != int64(len(raw)) {
				t.Errorf("sha/size = %s/%d", a.SHA256, a.Size)
			}
			orig, _ := f.st.Original(f.pid, a.ID)
			if got, _ := os.ReadFile(orig); string(got) != string(raw) {
				t.Error("original differs from the upload")
			}
			thumb, _ := f.st.Thumbnail(f.pid, a.ID)
			img := decodeJPEG(t, thumb)
			if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 48 {
				t.Errorf("thumbnail %v, want 64x48 (no enlarging)", b)
			}
			if l, r := colourAt(img, 0.25, 0.5), colourAt(img, 0.75, 0.5); l != "red" || r != "blue" {
				t.Errorf("thumbnail left/right = %s/%s", l, r)
			}
		})
	}
	dirEmpty(t, f.st.TmpDir())
}

func TestImageOrientation(t *testing.T) {
	f := newFixture(t, testLimits)
	cases := []struct {
		ext              string
		o                int
		w, h             int
		at1, at2         [2]float64 // sample points
		colour1, colour2 string
	}{
		{"jpg", 3, 64, 48, [2]float64{0.25, 0.5}, [2]float64{0.75, 0.5}, "blue", "red"},
		{"jpg", 6, 48, 64, [2]float64{0.5, 0.25}, [2]float64{0.5, 0.75}, "red", "blue"},
		{"jpg", 8, 48, 64, [2]float64{0.5, 0.25}, [2]float64{0.5, 0.75}, "blue", "red"},
		{"tiff", 6, 48, 64, [2]float64{0.5, 0.25}, [2]float64{0.5, 0.75}, "red", "blue"},
	}
	for _, c := range cases {
		t.Run(c.ext+strconv.Itoa(c.o), func(t *testing.T) {
			src := f.redBlue(t, "o"+strconv.Itoa(c.o)+"."+c.ext)
			exiftool(t, "-overwrite_original", "-n", "-Orientation="+strconv.Itoa(c.o), src)
			a, err := f.image(t, src, "photo."+c.ext)
			if err != nil {
				t.Fatal(err)
			}
			if a.Orientation != c.o || a.Width != c.w || a.Height != c.h {
				t.Fatalf("orientation %d %dx%d, want %d %dx%d", a.Orientation, a.Width, a.Height, c.o, c.w, c.h)
			}
			thumb, _ := f.st.Thumbnail(f.pid, a.ID)
			img := decodeJPEG(t, thumb)
			if b := img.Bounds(); b.Dx() != c.w || b.Dy() != c.h {
				t.Errorf("thumbnail %v, want %dx%d", b, c.w, c.h)
			}
			if got1, got2 := colourAt(img, c.at1[0], c.at1[1]), colourAt(img, c.at2[0], c.at2[1]); got1 != c.colour1 || got2 != c.colour2 {
				t.Errorf("thumbnail samples %s/%s, want %s/%s", got1, got2, c.colour1, c.colour2)
			}
		})
	}
}

func TestThumbnailScaledAndClean(t *testing.T) {
	needTools(t, "exiftool")
	f := newFixture(t, testLimits)
	src := f.gen(t, "big.jpg", "-f", "lavfi", "-i", "testsrc=s=1000x500", "-frames:v", "1")
	exiftool(t, "-overwrite_original", "-GPSLatitude=48.8584", "-GPSLatitudeRef=N", "-GPSLongitude=2.2945",
		"-GPSLongitudeRef=E", "-Make=TestCam", src)
	if out := exiftool(t, "-GPSLatitude", src); !strings.Contains(out, "48") {
		t.Fatalf("test input has no GPS: %q", out)
	}
	a, err := f.image(t, src, "eiffel.jpg")
	if err != nil {
		t.Fatal(err)
	}
	thumb, _ := f.st.Thumbnail(f.pid, a.ID)
	if b := decodeJPEG(t, thumb).Bounds(); b.Dx() != 400 || b.Dy() != 200 {
		t.Errorf("thumbnail %v, want 400x200", b)
	}
	out := exiftool(t, "-a", "-G1", "-s", thumb)
	for _, leak := range []string{"GPS", "TestCam", "EXIF", "Lavc"} {
		if strings.Contains(out, leak) {
			t.Errorf("thumbnail carries %s:\n%s", leak, out)
		}
	}
}

// A large JPEG's thumbnail alone is decoded at a fraction of its size (-lowres): it must look
// like the one from the full decode that a render still shares, and still turn upright.
func TestThumbnailLowres(t *testing.T) {
	f := newFixture(t, testLimits)
	src := f.gen(t, "big.jpg", "-f", "lavfi", "-i", "testsrc2=s=3200x2000", "-frames:v", "1", "-q:v", "2")
	alone, err := f.image(t, src, "big.jpg") // 1/8: 400x250, just the thumbnail's size
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(src)
	stillPath := filepath.Join(f.dir, "still.y4m")
	shared, err := f.in.ImageWithStill(context.Background(), f.pid, "big.jpg", strings.NewReader(string(raw)),
		func(*simvid.Asset) (StillGraph, int, string) {
			return func(in, _ string, _ int) (string, bool) { return in + "scale=64:40,format=yuv420p[v]", false }, 0, stillPath
		})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stillPath); err != nil {
		t.Fatalf("no still, so the thumbnail was not from the full decode: %v", err)
	}
	thumbs := [2]*image.YCbCr{}
	for i, a := range []*simvid.Asset{alone, shared} {
		p, _ := f.st.Thumbnail(f.pid, a.ID)
		y, ok := decodeJPEG(t, p).(*image.YCbCr)
		if !ok || y.Bounds().Dx() != 400 || y.Bounds().Dy() != 250 {
			t.Fatalf("thumbnail %d: %T %v, want a 400x250 JPEG", i, y, y.Bounds())
		}
		thumbs[i] = y
	}
	// Same picture (mean luma difference), and as sharp (summed luma gradient).
	var diff, edgeAlone, edgeShared float64
	for yy := 0; yy < 250; yy++ {
		for x := 1; x < 400; x++ {
			a, b := thumbs[0].Y[thumbs[0].YOffset(x, yy)], thumbs[1].Y[thumbs[1].YOffset(x, yy)]
			diff += math.Abs(float64(a) - float64(b))
			edgeAlone += math.Abs(float64(a) - float64(thumbs[0].Y[thumbs[0].YOffset(x-1, yy)]))
			edgeShared += math.Abs(float64(b) - float64(thumbs[1].Y[thumbs[1].YOffset(x-1, yy)]))
		}
	}
	diff /= 250 * 399
	t.Logf("mean luma difference %.2f; gradient %.0f alone, %.0f from the full decode", diff, edgeAlone, edgeShared)
	if diff > 4 || edgeAlone < 0.9*edgeShared {
		t.Errorf("the thumbnail alone differs from the full decode's: mean difference %.2f, gradient %.0f vs %.0f",
			diff, edgeAlone, edgeShared)
	}

	// Turned upright like a small one (1/4 of 1600x1200 still covers 300x400).
	rb := f.gen(t, "rb.jpg", "-f", "lavfi", "-i", "color=red:s=800x1200,format=rgb24[a];color=blue:s=800x1200,format=rgb24[b];[a][b]hstack",
		"-frames:v", "1")
	exiftool(t, "-overwrite_original", "-n", "-Orientation=6", rb)
	a, err := f.image(t, rb, "rb.jpg")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := f.st.Thumbnail(f.pid, a.ID)
	img := decodeJPEG(t, p)
	if b := img.Bounds(); b.Dx() != 300 || b.Dy() != 400 || colourAt(img, 0.5, 0.25) != "red" || colourAt(img, 0.5, 0.75) != "blue" {
		t.Errorf("upright thumbnail %v: top %s, bottom %s; want 300x400 red over blue", b,
			colourAt(img, 0.5, 0.25), colourAt(img, 0.5, 0.75))
	}
}

func TestImageRefused(t *testing.T) {
	heic := ftyp("heic", "mif1", "heic")
	cases := []struct {
		name, code string
		body       []byte
		want       []string
	}{
		{"notes.jpg", simvid.EUnsupported, []byte("shopping list\neggs\nmilk\n"), []string{"notes.jpg is not a picture (it looks like plain text)"}},
		{"photo.heic", simvid.EUnsupported, heic, []string{"photo.heic is a HEIC picture, which is not supported yet; please convert it to JPEG"}},
		{"a.avif", simvid.EUnsupported, ftyp("avif", "mif1", "miaf"), []string{"AVIF picture", "not supported yet"}},
		{"b.jpg", simvid.EUnsupported, ftyp("mif1", "mif1", "avif"), []string{"b.jpg is an AVIF picture"}},
		{"doc.png", simvid.EUnsupported, []byte("%PDF-1.7\n..."), []string{"PDF document"}},
		// An MP4 goes to clip intake (clip_test.go), whatever its name: a bare ftyp box is no video.
		{"clip.jpg", simvid.EUnprocessable, ftyp("isom", "isom", "avc1"), []string{"clip.jpg could not be read as a video"}},
		{"x.jpg", simvid.EUnsupported, []byte{0, 1, 2, 3, 0xfe, 0xfd}, []string{"not a picture this server accepts"}},
		{"empty.jpg", simvid.EUnprocessable, nil, []string{"empty.jpg is empty"}},
		{"cut.jpg", simvid.EUnprocessable, []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), []string{"cut.jpg is damaged: the file ends early"}},
		{"head.png", simvid.EUnprocessable, pngHeader(64, 48), []string{"head.png is damaged: the file ends early"}},
		{"bomb.png", simvid.ETooLarge, pngHeader(20000, 20000), []string{"has 400 megapixels; the limit is 60"}},
	}
	f := newFixture(t, testLimits)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.in.Image(context.Background(), f.pid, c.name, strings.NewReader(string(c.body)))
			wantCode(t, err, c.code, c.want...)
		})
	}
	dirEmpty(t, f.st.TmpDir())
	dirEmpty(t, f.st.Root()+"/projects")
}

func TestImageTooLargeStopsReading(t *testing.T) {
	lim := testLimits
	lim.FileBytes = 100 << 10
	f := newFixture(t, lim)
	r := &endless{}
	_, err := f.in.Image(context.Background(), f.pid, "photo.jpg", r)
	wantCode(t, err, simvid.ETooLarge, "photo.jpg is larger than the 100 KiB limit")
	if r.n > lim.FileBytes+64<<10 {
		t.Errorf("read %d bytes for a %d-byte limit", r.n, lim.FileBytes)
	}
	dirEmpty(t, f.st.TmpDir())
	dirEmpty(t, f.st.Root()+"/projects")
}

// endless is a JPEG-looking reader that never ends and counts what was read from it.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0xFF
	}
	e.n += int64(len(p))
	return len(p), nil
}
