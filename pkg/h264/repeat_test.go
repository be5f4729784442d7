package h264

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/testutil"
)

// TestRepeatShowsTheSamePicture encodes one frame with real x264 in each way simvid's
// qualities use it (CAVLC and CABAC, picture order count types 2 and 0, weighted prediction,
// lossless with transform bypass, a size that is not a multiple of 16), repeats it, and has
// ffmpeg decode the result: every frame must come out, without a decoder complaint, equal to
// the first one, also past the wrap of frame_num and of the picture order count.
func TestRepeatShowsTheSamePicture(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	cases := []struct {
		name, size string
		frames     int
		enc        []string
	}{
		{"ultrafast-cavlc", "320x240", 40, []string{"-preset", "ultrafast", "-crf", "28"}},
		{"veryfast-cabac-still-tuning", "640x360", 90, []string{"-preset", "veryfast", "-crf", "23", "-x264-params",
			"rc-lookahead=0:mbtree=0:me=dia:subme=0:trellis=0:b-adapt=0:scenecut=0:psy=0:aq-mode=0"}},
		{"medium-long", "200x120", 700, []string{"-preset", "medium", "-crf", "20"}},
		{"lossless", "160x90", 30, []string{"-preset", "ultrafast", "-qp", "0"}},
		{"odd-size", "322x182", 25, []string{"-preset", "veryfast", "-crf", "23"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			one := filepath.Join(dir, "one.h264")
			args := append([]string{"-v", "error", "-f", "lavfi", "-i", "testsrc2=s=" + c.size + ":r=30",
				"-frames:v", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p"}, c.enc...)
			ffmpeg(t, append(args, "-f", "h264", one)...)
			b, err := os.ReadFile(one)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Repeat(b, c.frames)
			if err != nil {
				t.Fatal(err)
			}
			long := filepath.Join(dir, "long.h264")
			if err := os.WriteFile(long, rep, 0o644); err != nil {
				t.Fatal(err)
			}
			if msg := testutil.DecodeErrors(t, long); msg != "" {
				t.Fatalf("decoding the repeat complains:\n%s", msg)
			}
			sums := frameSums(t, long)
			if len(sums) != c.frames {
				t.Fatalf("decoded %d frames, want %d", len(sums), c.frames)
			}
			for i, s := range sums {
				if s != sums[0] {
					t.Fatalf("frame %d differs from frame 0", i)
				}
			}
			if first := frameSums(t, one); len(first) != 1 || first[0] != sums[0] {
				t.Fatalf("the repeated picture is not the encoded one")
			}
			// The same in MP4, as a hold segment is written: 30 fps in a 15360 time scale.
			mp4 := filepath.Join(dir, "long.mp4")
			f, err := os.Create(mp4)
			if err != nil {
				t.Fatal(err)
			}
			if err := RepeatMP4(f, b, c.frames, 15360, 512); err != nil {
				t.Fatal(err)
			}
			_ = f.Close()
			if msg := testutil.DecodeErrors(t, mp4); msg != "" {
				t.Fatalf("decoding the MP4 complains:\n%s", msg)
			}
			if got := frameSums(t, mp4); len(got) != c.frames || got[0] != sums[0] || got[len(got)-1] != sums[0] {
				t.Fatalf("the MP4 decodes to %d frames, want %d of the picture", len(got), c.frames)
			}
			pr := testutil.Probe(t, mp4)
			if d := pr.Duration(); math.Abs(d-float64(c.frames)/30) > 1e-3 {
				t.Fatalf("the MP4 lasts %.4f s, want %.4f", d, float64(c.frames)/30)
			}
			t.Logf("%d frames from %d bytes: %d bytes (%.1f a repeat)", c.frames, len(b), len(rep),
				float64(len(rep)-len(b))/float64(c.frames-1))
		})
	}
}

// TestRepeatRefuses: what is not a single IDR picture is refused, not lengthened wrongly.
func TestRepeatRefuses(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	dir := t.TempDir()
	two := filepath.Join(dir, "two.h264")
	ffmpeg(t, "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=64x64:r=30", "-frames:v", "2",
		"-c:v", "libx264", "-preset", "ultrafast", "-f", "h264", two)
	b, err := os.ReadFile(two)
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string][]byte{"two pictures": b, "nothing": nil, "not h264": []byte("hello, world")} {
		if _, err := Repeat(in, 10); err == nil {
			t.Errorf("%s: Repeat took it", name)
		}
	}
	if _, err := Repeat(b, 0); err == nil {
		t.Error("0 frames: Repeat took it")
	}
}

func TestExpGolombRoundTrip(t *testing.T) {
	w := &bitWriter{}
	vals := []uint32{0, 1, 2, 3, 7, 8, 254, 255, 256, 65535, 1 << 20}
	svals := []int32{0, 1, -1, 2, -2, 100, -100, 1 << 16, -(1 << 16)}
	for _, v := range vals {
		w.ue(v)
	}
	for _, v := range svals {
		w.se(v)
	}
	w.u(5, 0b10110)
	w.trailing()
	r := &bitReader{b: w.b}
	for _, v := range vals {
		if got := r.ue(); got != v {
			t.Fatalf("ue %d read back as %d", v, got)
		}
	}
	for _, v := range svals {
		if got := r.se(); got != v {
			t.Fatalf("se %d read back as %d", v, got)
		}
	}
	if got := r.u(5); got != 0b10110 || r.err != nil {
		t.Fatalf("u(5) = %b, %v", got, r.err)
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	// An RBSP ends in its stop bit, or in cabac_zero_words (0x0000) after it.
	for _, in := range [][]byte{{0, 0, 0, 1}, {0, 0, 1}, {0, 0, 2, 0, 0, 3}, {1, 0, 0, 4}, {0x80, 0, 0}, {5, 0, 0, 0, 0, 1}, {0x80, 0, 0, 0, 0}} {
		esc := escape(in)
		for i := 0; i+2 < len(esc); i++ {
			if esc[i] == 0 && esc[i+1] == 0 && esc[i+2] <= 2 {
				t.Fatalf("escape(%x) = %x holds a start code", in, esc)
			}
		}
		if got := unescape(esc); !bytes.Equal(got, in) {
			t.Fatalf("unescape(escape(%x)) = %x", in, got)
		}
	}
}

func ffmpeg(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
}

// frameSums returns the MD5 of every decoded frame.
func frameSums(t *testing.T, path string) []string {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "framemd5", "-").Output()
	if err != nil {
		t.Fatalf("framemd5 %s: %v", path, err)
	}
	var sums []string
	for _, l := range strings.Split(string(out), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Split(l, ",")
		sums = append(sums, strings.TrimSpace(f[len(f)-1]))
	}
	return sums
}
