package cmd

import (
	"cmp"
	"context"
	"image"
	"os"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// readPictures takes in the pictures of a render on this machine, par decodes at once, the
// costliest first (decodeOrder): each is checked as an upload is and decoded once, straight
// to the render still of its slide, which the engine then finds in its cache (stillPath). No
// thumbnail: nobody sees one. The error is the first picture's in the order given, naming
// its file.
func readPictures(ctx context.Context, intake *media.Intake, pid string, files []string, spec simvid.Spec,
	ffmpegVersion string, stillPath func(key string) string, par int) ([]*simvid.Asset, error) {
	assets := make([]*simvid.Asset, len(files))
	errs := make([]error, len(files))
	var g errgroup.Group
	// One more than the decodes at once: a picture is copied in and hashed while the others
	// decode, and waits for its turn (intake's Limits.Decodes) with its bytes in place.
	g.SetLimit(max(par, 1) + 1)
	for _, i := range decodeOrder(files) {
		path := files[i]
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

// decodeOrder is the order to decode files in: the most pixels to decode first, so that the
// last decodes are short ones and no core idles through a large picture's decode at the end
// (in the corpus's order a 12-megapixel JPEG came last and decoded alone). The cost is the
// header's pixels, a JPEG's quartered (it is decoded at reduced size, ffargs.Lowres); a
// file whose header Go does not read (a clip, a rare variant) counts as the costliest.
// Equal costs keep the order given.
func decodeOrder(files []string) []int {
	cost := make([]int64, len(files))
	order := make([]int, len(files))
	for i, path := range files {
		order[i] = i
		cost[i] = -1
		f, err := os.Open(path)
		if err != nil {
			continue // intake names the file
		}
		cfg, format, err := image.DecodeConfig(f)
		_ = f.Close()
		if err == nil {
			cost[i] = int64(cfg.Width) * int64(cfg.Height)
			if format == "jpeg" {
				cost[i] /= 4
			}
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if (cost[a] < 0) != (cost[b] < 0) {
			return cmp.Compare(cost[a], cost[b]) // unknown (-1) first
		}
		return cmp.Compare(cost[b], cost[a])
	})
	return order
}
