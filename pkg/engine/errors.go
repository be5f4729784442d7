package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/simvid"
)

// serverFaults are stderr fragments that blame the server, not the user's file.
var serverFaults = []string{"No space left on device", "Cannot allocate memory", "Permission denied",
	"No such file or directory", "Unknown encoder", "Too many open files"}

// stillError words a failure to decode a picture: the user's file is the likely cause, unless
// ffmpeg says the server is.
func stillError(err error, slide int, asset string) error {
	var re *ffmpeg.RunError
	if !errors.As(err, &re) {
		return fmt.Errorf("engine: slide %d (%s): %w", slide, asset, err)
	}
	for _, f := range serverFaults {
		if strings.Contains(re.Stderr, f) {
			return simvid.Wrap(simvid.EInternal, err, "slide %d could not be prepared: %s", slide, re.Message)
		}
	}
	return simvid.Wrap(simvid.EUnprocessable, err, "slide %d (%s) could not be decoded: %s", slide, asset, re.Message)
}

// internalError words a failure of a step whose inputs we made ourselves.
func internalError(err error, what string) error {
	var re *ffmpeg.RunError
	if errors.As(err, &re) {
		return simvid.Wrap(simvid.EInternal, err, "%s failed: %s", what, re.Message)
	}
	return fmt.Errorf("engine: %s: %w", what, err)
}
