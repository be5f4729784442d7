package render

import (
	"maps"
	"slices"
	"strings"

	"github.com/simvid/simvid/pkg/simvid"
)

// FitColor is the fit of a still made from a plain colour (a title or end slide's
// background) rather than a picture.
const FitColor = "color"

// colorAsset is the stand-in asset id of a colour background; it never names a file.
const colorAsset = "color:"

// expandTitles turns the spec's title and end slide into slides of their own, before and
// after the pictures, so that they are timed, transitioned and cached like any other.
func expandTitles(in *Input) {
	s := &in.Spec
	if (s.Title == nil && s.End == nil) || len(s.Slides) == 0 {
		return
	}
	in.Images = maps.Clone(in.Images) // the caller's map stays as it was
	titleSlide := func(t *simvid.TitleSlide, picture int) simvid.Slide {
		style := t.TitleStyle()
		sl := simvid.Slide{Duration: t.Seconds(), Caption: t.Text, CaptionStyle: &style, Motion: "none", Mute: true} // over a clip: its picture, not its sound
		if t.Background == "" {
			sl.Asset, sl.Fit = s.Slides[picture].Asset, s.SlideFit(picture)
			sl.Focus = s.Slides[picture].Focus
		} else {
			sl.Asset = colorAsset + strings.ToLower(t.Background)
			in.Images[sl.Asset] = Image{SHA256: sl.Asset}
		}
		return sl
	}
	// A title without a background shows on the first picture, not on a chapter title.
	first, last := 0, len(s.Slides)-1
	for first < last && strings.HasPrefix(s.Slides[first].Asset, colorAsset) {
		first++
	}
	slides := slices.Clone(s.Slides)
	if s.End != nil {
		slides = append(slides, titleSlide(s.End, last))
	}
	if s.Title != nil {
		slides = append([]simvid.Slide{titleSlide(s.Title, first)}, slides...)
	}
	s.Slides = slides
}

// colorStill reports whether a slide's asset is a colour, and which.
func colorStill(asset string) (string, bool) {
	c, ok := strings.CutPrefix(asset, colorAsset)
	return c, ok && colorRE.MatchString(c)
}
