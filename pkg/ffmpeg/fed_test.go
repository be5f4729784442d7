package ffmpeg

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// grayFeed writes n frames of 32x32 gray at level v.
func grayFeed(n int, v byte) func(io.Writer) error {
	return func(w io.Writer) error {
		frame := bytes.Repeat([]byte{v}, 32*32)
		for i := 0; i < n; i++ {
			if _, err := w.Write(frame); err != nil {
				return err
			}
		}
		return nil
	}
}

// Two fed inputs reach ffmpeg as pipe:3 and pipe:4, whole, in order.
func TestRunFed(t *testing.T) {
	r := newRunner(t)
	out := filepath.Join(t.TempDir(), "out.gray")
	in := func(fd string) []string {
		return []string{"-f", "rawvideo", "-pix_fmt", "gray", "-s", "32x32", "-r", "10", "-i", fd}
	}
	args := append(append(in("pipe:3"), in("pipe:4")...), "-filter_complex", "[0:v][1:v]hstack[v]", "-map", "[v]",
		"-f", "rawvideo", "-pix_fmt", "gray", "file:"+out)
	var frames int64
	err := r.RunFed(context.Background(), args, []func(io.Writer) error{grayFeed(12, 10), grayFeed(12, 200)}, func(n int64) { frames = n })
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 12*64*32 || b[0] != 10 || b[63] != 200 || frames != 12 {
		t.Fatalf("%d bytes, %d and %d, %d frames", len(b), b[0], b[63], frames)
	}
}

// ffmpeg failing while a feed still writes ends the run with ffmpeg's error, at once: the
// feed's write fails instead of blocking on a pipe nobody reads.
func TestRunFedFailure(t *testing.T) {
	r := newRunner(t)
	args := []string{"-f", "rawvideo", "-pix_fmt", "gray", "-s", "32x32", "-i", "pipe:3", "-vf", "nosuchfilter", "-f", "null", "-"}
	start := time.Now()
	err := r.RunFed(context.Background(), args, []func(io.Writer) error{grayFeed(1<<20, 1)}, nil)
	var re *RunError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want ffmpeg's", err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("took %v", d)
	}
}
