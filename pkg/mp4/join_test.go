package mp4_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/h264"
	"github.com/simvid/simvid/pkg/mp4"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestJoinMatchesFFmpeg joins segments of every kind simvid makes (x264 through ffmpeg's mp4
// muxer with B-frames and an edit list, a repeated still and a dissolve written by package
// h264) and AAC music, and checks the file against what ffmpeg's concat demuxer makes of the
// same list: the same decoded frames in the same order, the same audio, the same lengths,
// and a clean decode.
func TestJoinMatchesFFmpeg(t *testing.T) {
	testutil.Need(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	enc := []string{"-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-r", "30"}
	ff := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ffmpeg", append([]string{"-v", "error", "-y"}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
		}
	}
	seg := func(name string) string { return filepath.Join(dir, name) }
	// An encoded segment of 17 moving frames, as ffmpeg writes them (B-frames, ctts, elst).
	ff(append(append([]string{"-f", "lavfi", "-i", "testsrc2=s=320x240:r=30", "-frames:v", "17"}, enc...),
		"-video_track_timescale", "15360", "-f", "mp4", seg("moving.mp4"))...)
	// A hold of 40 frames and a dissolve of 12, from x264's first frames as simvid makes them.
	ff(append(append([]string{"-f", "lavfi", "-i", "mandelbrot=s=320x240:r=30", "-frames:v", "1"}, enc...), "-f", "h264", seg("one.h264"))...)
	ff(append(append([]string{"-f", "lavfi", "-i", "mandelbrot=s=320x240:r=30", "-f", "lavfi", "-i", "testsrc=s=320x240:r=30",
		"-filter_complex", "[0:v]trim=end_frame=1[a];[1:v]trim=end_frame=1[b];[a][b]concat=n=2:v=1[v]", "-map", "[v]", "-frames:v", "2"}, enc...),
		"-f", "h264", seg("two.h264"))...)
	write := func(name string, f func(*os.File) error) {
		t.Helper()
		out, err := os.Create(seg(name))
		if err != nil {
			t.Fatal(err)
		}
		if err := f(out); err != nil {
			t.Fatal(err)
		}
		_ = out.Close()
	}
	one, _ := os.ReadFile(seg("one.h264"))
	two, _ := os.ReadFile(seg("two.h264"))
	write("hold.mp4", func(f *os.File) error { return h264.RepeatMP4(f, one, 40, 15360, 512) })
	write("fade.mp4", func(f *os.File) error { return h264.CrossfadeMP4(f, two, 12, 15360, 512) })
	ff("-f", "lavfi", "-i", "sine=f=440:d=3", "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-f", "ipod", seg("music.m4a"))

	paths := []string{seg("hold.mp4"), seg("fade.mp4"), seg("moving.mp4"), seg("hold.mp4")}
	frames := []int64{40, 12, 17, 40}
	joined := seg("joined.mp4")
	write("joined.mp4", func(f *os.File) error { return mp4.Join(f, paths, frames, 30, seg("music.m4a")) })

	list := seg("list.txt")
	if err := os.WriteFile(list, []byte(render.ConcatList(paths, frames, 30)), 0o644); err != nil {
		t.Fatal(err)
	}
	ffJoined := seg("ffmpeg.mp4")
	ff(render.AssembleArgs(list, seg("music.m4a"), ffJoined)...)

	if msg := testutil.DecodeErrors(t, joined); msg != "" {
		t.Fatalf("decoding the joined file complains:\n%s", msg)
	}
	got, want := sums(t, joined, "v"), sums(t, ffJoined, "v")
	if len(got) != 109 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("joined: %d frames, ffmpeg's concat: %d; the same in order: %v", len(got), len(want), strings.Join(got, ",") == strings.Join(want, ","))
	}
	if a, b := sums(t, joined, "a"), sums(t, ffJoined, "a"); strings.Join(a, ",") != strings.Join(b, ",") || len(a) == 0 {
		t.Fatalf("audio: %d frames joined, %d by ffmpeg, or they differ", len(a), len(b))
	}
	p, q := testutil.Probe(t, joined), testutil.Probe(t, ffJoined)
	if v := p.Video(); v == nil || v.Frames() != 109 || p.Duration() < 3.6 || p.Duration() > 3.64 {
		t.Fatalf("joined: %+v, %.3f s", v, p.Duration())
	}
	t.Logf("joined %.4f s, ffmpeg's %.4f s", p.Duration(), q.Duration())
}

// TestJoinRefusesMismatches: segments whose decoder configurations differ, or whose length
// is not the one given, are not joinable (the engine then uses ffmpeg's concat).
func TestJoinRefusesMismatches(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	dir := t.TempDir()
	mk := func(name, size string, n string) string {
		p := filepath.Join(dir, name)
		if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s="+size+":r=30", "-frames:v", n,
			"-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-f", "mp4", p).CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return p
	}
	a, b := mk("a.mp4", "320x240", "10"), mk("b.mp4", "640x480", "10")
	out, _ := os.Create(filepath.Join(dir, "out.mp4"))
	defer out.Close()
	if err := mp4.Join(out, []string{a, b}, []int64{10, 10}, 30, ""); !errors.Is(err, mp4.ErrNotJoinable) {
		t.Errorf("two sizes: %v", err)
	}
	if err := mp4.Join(out, []string{a}, []int64{11}, 30, ""); !errors.Is(err, mp4.ErrNotJoinable) {
		t.Errorf("a wrong length: %v", err)
	}
}

// sums returns the MD5 of every decoded frame of a stream ("v" or "a").
func sums(t *testing.T, path, stream string) []string {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-map", "0:"+stream, "-f", "framemd5", "-").Output()
	if err != nil {
		t.Fatalf("framemd5 %s: %v", path, err)
	}
	var s []string
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			f := strings.Split(l, ",")
			s = append(s, strings.TrimSpace(f[len(f)-1]))
		}
	}
	return s
}
