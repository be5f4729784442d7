package h264

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/simvid/simvid/pkg/testutil"
)

// TestCrossfadeBlends encodes two different pictures with real x264 (veryfast with the
// still-picture tuning simvid uses for transitions, and medium), makes crossfades of several
// lengths, and decodes them with ffmpeg: the first and last frames must be the two encoded
// pictures, and every frame between exactly the blend that implicit weighted prediction
// defines (clause 8.4.2.3), frame k of n weighing the last picture k/(n-1) to 1/64.
func TestCrossfadeBlends(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	const w, h = 320, 180
	presets := map[string][]string{
		"veryfast-still-tuning": {"-preset", "veryfast", "-x264-params",
			"rc-lookahead=0:mbtree=0:me=dia:subme=0:trellis=0:b-adapt=0:scenecut=0:psy=0:aq-mode=0"},
		"medium": {"-preset", "medium"},
	}
	for name, preset := range presets {
		dir := t.TempDir()
		two := filepath.Join(dir, "two.h264")
		args := []string{"-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x180:r=30",
			"-f", "lavfi", "-i", "mandelbrot=s=320x180:r=30",
			"-filter_complex", "[0:v]trim=end_frame=1[a];[1:v]trim=end_frame=1[b];[a][b]concat=n=2:v=1[v]",
			"-map", "[v]", "-frames:v", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "23"}
		ffmpeg(t, append(append(args, preset...), "-f", "h264", two)...)
		b, err := os.ReadFile(two)
		if err != nil {
			t.Fatal(err)
		}
		ends := decodeYUV(t, two, w, h)
		if len(ends) != 2 {
			t.Fatalf("%s: x264 wrote %d pictures", name, len(ends))
		}
		for _, n := range []int{2, 3, 15, 16} { // 16: the longest x264's 6-bit picture order count allows
			out := filepath.Join(dir, "fade.mp4")
			f, err := os.Create(out)
			if err != nil {
				t.Fatal(err)
			}
			if err := CrossfadeMP4(f, b, n, 15360, 512); err != nil {
				t.Fatalf("%s, %d frames: %v", name, n, err)
			}
			_ = f.Close()
			if msg := testutil.DecodeErrors(t, out); msg != "" {
				t.Fatalf("%s, %d frames: the decoder complains:\n%s", name, n, msg)
			}
			got := decodeYUV(t, out, w, h)
			if len(got) != n {
				t.Fatalf("%s: %d frames decoded, want %d", name, len(got), n)
			}
			for k, frame := range got {
				want := blend(ends[0], ends[1], k, n)
				for i := range frame {
					if frame[i] != want[i] {
						t.Fatalf("%s, %d frames: frame %d sample %d is %d, the blend %d", name, n, k, i, frame[i], want[i])
					}
				}
			}
		}
	}
}

// TestCrossfadeRefuses: a stream without implicit weights (ultrafast writes no B-frames),
// one picture, or too many frames are refused.
func TestCrossfadeRefuses(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	dir := t.TempDir()
	enc := func(name string, frames string, preset string) []byte {
		p := filepath.Join(dir, name)
		ffmpeg(t, "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=64x64:r=30", "-frames:v", frames,
			"-c:v", "libx264", "-preset", preset, "-f", "h264", p)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if _, err := Crossfade(enc("uf.h264", "2", "ultrafast"), 10); err == nil {
		t.Error("ultrafast: Crossfade took a stream without implicit weights")
	}
	if _, err := Crossfade(enc("one.h264", "1", "veryfast"), 10); err == nil {
		t.Error("one picture: Crossfade took it")
	}
	two := enc("two.h264", "2", "veryfast")
	for _, n := range []int{1, 17, MaxCrossfade + 1} { // 17: past x264's 6-bit picture order count
		if _, err := Crossfade(two, n); err == nil {
			t.Errorf("%d frames: Crossfade took it", n)
		}
	}
}

// blend is implicit weighted bi-prediction of a (picture order count 0) and z (2(n-1)) for
// the picture at 2k, with no offsets: logWD 5, w0 + w1 = 64.
func blend(a, z []byte, k, n int) []byte {
	tb, td := 2*k, 2*(n-1)
	tx := (16384 + td/2) / td
	dsf := min(max((tb*tx+32)>>6, -1024), 1023)
	w1 := dsf >> 2
	w0 := 64 - w1
	out := make([]byte, len(a))
	for i := range a {
		out[i] = byte(min(max((int(a[i])*w0+int(z[i])*w1+32)>>6, 0), 255))
	}
	return out
}

// decodeYUV returns the decoded frames of a file as yuv420p, in display order.
func decodeYUV(t *testing.T, path string, w, h int) [][]byte {
	t.Helper()
	raw, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "yuv420p", "-").Output()
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	size := w*h + 2*(w/2)*(h/2)
	var frames [][]byte
	for len(raw) >= size {
		frames = append(frames, raw[:size])
		raw = raw[size:]
	}
	return frames
}
