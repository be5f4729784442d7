package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
)

// Reasons a damaged picture is refused for.
const (
	endsEarly = "the file ends early"
	corrupt   = "its picture data is corrupt"
)

// noise is n bytes of a fixed random sequence: a body that is random after a valid header.
func noise(n int) []byte {
	r := rand.New(rand.NewPCG(16, 3))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// afterMarker returns the offset just past the JPEG segment that starts with marker (0xFFDA:
// the start of scan header), so that what follows is the entropy-coded picture data.
func afterMarker(t *testing.T, jpg []byte, marker byte) int {
	t.Helper()
	i := bytes.Index(jpg, []byte{0xFF, marker})
	if i < 0 {
		t.Fatalf("no marker %x", marker)
	}
	return i + 2 + int(binary.BigEndian.Uint16(jpg[i+2:]))
}

// pngChunk returns the offset of the first chunk of type typ (its length field).
func pngChunk(t *testing.T, png []byte, typ string) int {
	t.Helper()
	i := bytes.Index(png, []byte(typ))
	if i < 4 {
		t.Fatalf("no %s chunk", typ)
	}
	return i - 4
}

// TestImageDamagedRefused: every kind of damaged picture is refused by the decode intake
// already makes (ffmpeg's own error detection), with the file's name and why, and nothing
// is left on disk. Before, a JPEG cut in its scan or without its end marker, a PNG whose
// CRCs fail or whose IEND is missing were taken and became grey or partial slides.
func TestImageDamagedRefused(t *testing.T) {
	f := newFixture(t, testLimits)
	src := func(name string, args ...string) []byte {
		t.Helper()
		b, err := os.ReadFile(f.gen(t, name, append([]string{"-f", "lavfi", "-i", "testsrc2=s=320x240", "-frames:v", "1"}, args...)...))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	jpg, png, gif := src("p.jpg"), src("p.png"), src("p.gif")
	webp, lossless := src("p.webp"), src("l.webp", "-c:v", "libwebp", "-lossless", "1")
	tiff, bmp := src("p.tiff"), src("p.bmp")
	// Its first 3000 bytes hold the headers and part of the scan; ffmpeg refuses a prefix that
	// small of a much larger picture by itself, so the test's picture is only 800x600.
	big := src("big.jpg", "-vf", "scale=800:600", "-q:v", "2")
	scan := afterMarker(t, jpg, 0xDA)
	idat := pngChunk(t, png, "IDAT")
	idatCRC := idat + 8 + int(binary.BigEndian.Uint32(png[idat:]))
	crcBad := bytes.Clone(png)
	crcBad[idatCRC] ^= 0x01       // only the checksum: the data inflates fine
	const gifHead = 6 + 7 + 3*256 // signature, screen descriptor, global colour table

	cases := []struct {
		name string
		body []byte
		why  string // "": either reason (noise may well look like a cut chunk to a decoder)
	}{
		{"no-end-marker.jpg", jpg[:len(jpg)-2], endsEarly},
		{"half.jpg", jpg[:len(jpg)/2], endsEarly},     // premature end of scan
		{"big-first-3000.jpg", big[:3000], endsEarly}, // the origin route's case
		{"noise.jpg", append(jpg[:scan:scan], noise(len(jpg)-scan)...), ""},
		{"crc.png", crcBad, corrupt},
		{"no-iend.png", png[:len(png)-12], endsEarly},
		{"half.png", png[:len(png)/2], endsEarly},
		{"noise.png", append(png[:33:33], noise(len(png)-33)...), ""}, // signature and IHDR kept
		{"half.webp", webp[:len(webp)/2], endsEarly},
		{"half-lossless.webp", lossless[:len(lossless)/2], endsEarly},
		{"noise-lossless.webp", append(lossless[:30:30], noise(len(lossless)-30)...), ""},
		{"half.gif", gif[:len(gif)/2], endsEarly},
		{"noise.gif", append(gif[:gifHead:gifHead], noise(len(gif)-gifHead)...), ""},
		{"half.tiff", tiff[:len(tiff)/2], endsEarly},
		{"noise.tiff", append(tiff[:8:8], noise(len(tiff)-8)...), ""},
		{"half.bmp", bmp[:len(bmp)/2], endsEarly},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.in.Image(context.Background(), f.pid, c.name, bytes.NewReader(c.body))
			wantCode(t, err, simvid.EUnprocessable, c.name+" is damaged: "+c.why)
			if c.why == "" && !strings.Contains(err.Error(), endsEarly) && !strings.Contains(err.Error(), corrupt) {
				t.Errorf("no reason given: %v", err)
			}
		})
	}
	dirEmpty(t, f.st.TmpDir())
	dirEmpty(t, f.st.Root()+"/projects")
}

// TestImageDecoderReadsTIFF: ffmpeg's own default TIFF (YCbCr, which Go's TIFF reader does
// not know) is taken, sized by ffprobe; it was refused as "a variant of TIFF" before. A
// header check never refuses what the decoder reads, and the pixel limit still holds.
func TestImageDecoderReadsTIFF(t *testing.T) {
	f := newFixture(t, testLimits)
	src := f.gen(t, "t.tiff", "-f", "lavfi", "-i", "testsrc2=s=320x240", "-frames:v", "1")
	a, err := f.image(t, src, "t.tiff")
	if err != nil {
		t.Fatal(err)
	}
	if a.Format != "tiff" || a.Width != 320 || a.Height != 240 || a.PixFmt != "yuv420p" {
		t.Fatalf("asset = %+v", a)
	}
	thumb, _ := f.st.Thumbnail(f.pid, a.ID)
	if b := decodeJPEG(t, thumb).Bounds(); b.Dx() != 320 || b.Dy() != 240 {
		t.Fatalf("thumbnail %v", b)
	}

	lim := testLimits
	lim.ImagePixels = 320*240 - 1
	small := newFixture(t, lim)
	_, err = small.image(t, src, "t.tiff")
	wantCode(t, err, simvid.ETooLarge, "t.tiff is 320×240 pixels")
	dirEmpty(t, small.st.TmpDir())
}
