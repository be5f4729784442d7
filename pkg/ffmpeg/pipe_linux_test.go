package ffmpeg

import (
	"context"
	"io"
	"os"
	"syscall"
	"testing"
)

// A fed input's pipe holds 1 MB, not Linux's default 64 kB: a 1080p frame crosses it in
// three writes rather than some 48, each waking ffmpeg.
func TestRunFedPipeHoldsAMegabyte(t *testing.T) {
	r := newRunner(t)
	size := 0
	feed := func(w io.Writer) error {
		const getPipeSize = 1032 // F_GETPIPE_SZ
		n, _, errno := syscall.Syscall(syscall.SYS_FCNTL, w.(*os.File).Fd(), getPipeSize, 0)
		if errno != 0 {
			return errno
		}
		size = int(n)
		return grayFeed(2, 1)(w)
	}
	args := []string{"-f", "rawvideo", "-pix_fmt", "gray", "-s", "32x32", "-i", "pipe:3", "-f", "null", "-"}
	if err := r.RunFed(context.Background(), args, []func(io.Writer) error{feed}, nil); err != nil {
		t.Fatal(err)
	}
	if size < 1<<20 {
		t.Fatalf("the pipe holds %d bytes, want 1 MB", size)
	}
}
