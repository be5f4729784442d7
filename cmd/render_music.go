package cmd

import (
	"context"
	"os"

	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/simvid"
)

// readMusic takes in the music of a render on this machine (path "": none) and prepares its
// working copy, beside the pictures' decodes rather than after them: its probe and its one
// decode take no decode turn of the pictures', and fill the core their last decodes leave
// idle. wait returns the music once it is ready (nil without music), or its error.
func readMusic(ctx context.Context, intake *media.Intake, pid, path string) (wait func() (*simvid.Asset, error)) {
	if path == "" {
		return func() (*simvid.Asset, error) { return nil, nil }
	}
	var a *simvid.Asset
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		a, err = intakeFile(path, func(name string, fh *os.File) (*simvid.Asset, error) { return intake.Audio(ctx, pid, name, fh) })
		if err == nil {
			err = intake.PrepareAudio(ctx, a)
		}
	}()
	return func() (*simvid.Asset, error) {
		<-done
		return a, err
	}
}
