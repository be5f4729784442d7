package mp4_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/simvid/simvid/pkg/h264"
	"github.com/simvid/simvid/pkg/mp4"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestIndexReadsEachSegmentOnce: joins of a show again (an edit's render) read through an
// Index only the segment files they have not read before: a second join of the same 12
// segments reads none, a segment made again under its name (another file renamed into place)
// is read again, and each join writes the bytes Join writes reading every file. At most max
// files are kept.
func TestIndexReadsEachSegmentOnce(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	dir := t.TempDir()
	raw := filepath.Join(dir, "one.h264")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "mandelbrot=s=160x120:r=30", "-frames:v", "1",
		"-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-f", "h264", raw).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	one, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	hold := func(path string, n int) {
		t.Helper()
		var b bytes.Buffer
		if err := h264.RepeatMP4(&b, one, n, 15360, 512); err != nil {
			t.Fatal(err)
		}
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	var paths []string
	var frames []int64
	for i := range 12 {
		p := filepath.Join(dir, fmt.Sprintf("s%02d.mp4", i))
		hold(p, 10+i)
		paths, frames = append(paths, p), append(frames, int64(10+i))
	}
	idx := mp4.NewIndex(64)
	join := func(name string, wantReads int) {
		t.Helper()
		var got, want bytes.Buffer
		if err := mp4.JoinIndexed(&got, idx, paths, frames, 30, ""); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := mp4.Join(&want, paths, frames, 30, ""); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%s: the join through the index differs from Join's", name)
		}
		if n := idx.Reads(); n != wantReads {
			t.Errorf("%s: %d files read in all, want %d", name, n, wantReads)
		}
	}
	join("first", 12)
	join("again", 12)
	hold(paths[5], 30) // made again, another length
	frames[5] = 30
	join("one segment made again", 13)

	small := mp4.NewIndex(4)
	for range 3 {
		if err := mp4.JoinIndexed(&bytes.Buffer{}, small, paths, frames, 30, ""); err != nil {
			t.Fatal(err)
		}
		if n := small.Len(); n > 4 {
			t.Fatalf("an index of at most 4 files holds %d", n)
		}
	}
}
