package media

import (
	"encoding/binary"
	"errors"
	"os"
	"strings"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/simvid"
)

// serverFaults are the words of a failed decode that is not the file's fault.
var serverFaults = []string{"No space left on device", "Cannot allocate memory", "Permission denied"}

// decodeFailure returns the failed run of a picture's decode when the picture is to blame:
// not when the server ran out of disk space or memory.
func decodeFailure(err error) (*ffmpeg.RunError, bool) {
	var re *ffmpeg.RunError
	if !errors.As(err, &re) {
		return nil, false
	}
	for _, f := range serverFaults {
		if strings.Contains(re.Stderr, f) {
			return nil, false
		}
	}
	return re, true
}

// damaged refuses a picture whose checked decode (ffargs.CheckedPictureInput) failed, or
// concealed damage, naming the file; stderr is the decode's. Whether the file ends early
// is what the decoder said; for GIF and WebP, whose decoders fail on a cut file without a
// word, the file's own end marker and length say it.
func damaged(name, path, format, stderr string, cause error) error {
	reason := "its picture data is corrupt"
	if ffmpeg.EndsEarly(stderr) || cutContainer(path, format, stderr) {
		reason = "the file ends early"
	}
	return simvid.Wrap(simvid.EUnprocessable, cause, "%s is damaged: %s", name, reason)
}

// cutContainer reports, for a GIF or WebP whose decode failed, whether the file stops before
// its own end: a GIF without its trailer byte whose decoder found nothing wrong in what it
// read, a WebP shorter than its RIFF header says. It only words the refusal; ffmpeg decides it.
func cutContainer(path, format, stderr string) bool {
	if format != "gif" && format != "webp" {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer func() { _ = f.Close() }()
	fi, err := f.Stat()
	if err != nil || fi.Size() < 12 {
		return false
	}
	var b [8]byte
	if format == "webp" {
		if _, err := f.ReadAt(b[:8], 0); err != nil {
			return false
		}
		return int64(binary.LittleEndian.Uint32(b[4:8]))+8 > fi.Size()
	}
	if _, err := f.ReadAt(b[:1], fi.Size()-1); err != nil {
		return false
	}
	return b[0] != 0x3B && !strings.Contains(stderr, "[gif @")
}
