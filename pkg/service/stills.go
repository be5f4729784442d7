package service

import (
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// stillFor returns what intake needs to prepare a new picture's render still for the
// project's current output and fit, so that a render usually finds it ready. The still is
// planned exactly as a render of the picture would plan it, so the cache key is the same.
func (s *Service) stillFor(spec simvid.Spec) media.StillFunc {
	if s.stillPath == nil {
		return nil
	}
	return func(a *simvid.Asset) (media.StillGraph, int, string) {
		one := simvid.Spec{Output: spec.Output, Defaults: spec.Defaults, Slides: []simvid.Slide{{Asset: a.ID}}}
		one.Normalize()
		st, ok := render.SlideStill(one, a, s.ffmpegVersion)
		if !ok {
			return nil, 0, ""
		}
		return func(in, tap string, minSide int) (string, bool) {
			return render.StillFilterTap(st, in, tap, a.Width, a.Height, minSide)
		}, st.Lowres, s.stillPath(st.Key)
	}
}
