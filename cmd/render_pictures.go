package cmd

import (
	"context"
	"os"

	"golang.org/x/sync/errgroup"

	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// readPictures takes in the pictures of a render on this machine, up to par at once: each is
// checked as an upload is and decoded once, straight to the render still of its slide, which
// the engine then finds in its cache (stillPath). No thumbnail: nobody sees one. The error
// is the first picture's in the order given, naming its file.
func readPictures(ctx context.Context, intake *media.Intake, pid string, files []string, spec simvid.Spec,
	ffmpegVersion string, stillPath func(key string) string, par int) ([]*simvid.Asset, error) {
	assets := make([]*simvid.Asset, len(files))
	errs := make([]error, len(files))
	var g errgroup.Group
	g.SetLimit(max(par, 1))
	for i, path := range files {
		still := slideStill(spec, i, ffmpegVersion, stillPath)
		g.Go(func() error {
			assets[i], errs[i] = intakeFile(path, func(name string, fh *os.File) (*simvid.Asset, error) {
				return intake.ImageForRender(ctx, pid, name, fh, still)
			})
			return nil
		})
	}
	_ = g.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return assets, nil
}

// slideStill plans the still of slide i as the render will plan it (the spec's output and
// defaults, the slide's own fit, focus and caption), once its picture's facts are known, so
// that the key is the one the engine looks for. A slide planned otherwise in the whole show
// (a title before it, say) only misses the cache: the engine makes that still itself.
func slideStill(spec simvid.Spec, i int, ffmpegVersion string, stillPath func(key string) string) media.StillFunc {
	return func(a *simvid.Asset) (media.StillGraph, int, string) {
		one := spec
		one.Audio, one.Title, one.End, one.BeatSync, one.Chapters = nil, nil, nil, false, ""
		one.Slides = []simvid.Slide{spec.Slides[i]}
		one.Slides[0].Asset = a.ID
		st, ok := render.SlideStill(one, a, ffmpegVersion)
		if !ok {
			return nil, 0, ""
		}
		return func(in, tap string, minSide int) (string, bool) {
			return render.StillFilterTap(st, in, tap, a.Width, a.Height, minSide)
		}, st.Lowres, stillPath(st.Key)
	}
}
