package jobs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"testing"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/simvid"
)

// TestDiskFullMessage: a render that failed because this worker's disk filled says so to the
// user, however the failure reached the job (Go's ENOSPC, wrapped; ffmpeg's stderr inside
// the engine's coded error); other failures keep their own words.
func TestDiskFullMessage(t *testing.T) {
	full := "a worker ran out of disk space while making the video; please try again later"
	ffFull := &ffmpeg.RunError{Tool: "ffmpeg", ExitCode: 1, Message: "the server ran out of disk space",
		Stderr: "Error writing trailer of /data/cache/segments/x.mp4: No space left on device"}
	ffOther := &ffmpeg.RunError{Tool: "ffmpeg", ExitCode: 1, Message: "bad input", Stderr: "Invalid data found when processing input"}
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"enospc wrapped", fmt.Errorf("objstore: get k: %w", &os.PathError{Op: "write", Path: "/d/tmp/x", Err: syscall.ENOSPC}), full},
		{"ffmpeg in the engine's error", simvid.Wrap(simvid.EInternal, ffFull, "rendering slide 1 failed: %s", ffFull.Message), full},
		{"other ffmpeg failure", simvid.Wrap(simvid.EInternal, ffOther, "rendering slide 1 failed: bad input"), "rendering slide 1 failed: bad input"},
		{"missing file", fmt.Errorf("engine: %w", fs.ErrNotExist), "the video could not be made because of a problem on the server"},
	} {
		err := diskFull(c.err)
		if got := userMessage(err); got != c.want {
			t.Errorf("%s: message %q, want %q", c.name, got, c.want)
		}
		if !errors.Is(err, c.err) && err != c.err {
			t.Errorf("%s: the cause is lost: %v", c.name, err)
		}
		if isInputError(err) {
			t.Errorf("%s: counted as the user's fault", c.name)
		}
	}
}
