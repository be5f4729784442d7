package media

import (
	"context"
	"os"

	"github.com/simvid/simvid/pkg/ffargs"
	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/simvid"
)

// stillOnly is thumbnail without the thumbnail (ImageForRender): the picture's one decode
// writes the render still still asks for, into place, and is the check that the pixels
// decode. A still in the cache already was made from the same bytes (its key holds their
// hash), so they decoded before: nothing runs. With no still to make (still nil, or a slide
// the plan makes no still for), the picture is decoded to nothing, at the size a thumbnail
// would need, so that a damaged file is still refused here, by name.
func (in *Intake) stillOnly(ctx context.Context, src, name string, a *simvid.Asset, still StillFunc, decoded func()) error {
	var filter StillGraph
	var k int
	var path string
	if still != nil {
		filter, k, path = still(a)
	}
	if filter != nil && path != "" {
		if _, err := os.Stat(path); err == nil {
			decoded()
			return nil
		}
	}
	var args []string
	var tmp string
	if filter != nil && path != "" {
		var err error
		if tmp, err = in.st.tempPath("still-*.y4m"); err != nil {
			return err
		}
		defer os.Remove(tmp) // gone once renamed into place
		graph, _ := filter("[0:v]", "", 0)
		// Decoded as the render decodes it, so the still is the same bytes.
		args = append(append(ffargs.CheckedPictureInput(a.Format, src, k), ffargs.PictureGraph(graph)...),
			"-map", "[v]", "-frames:v", "1", "-an", "-f", "yuv4mpegpipe", tmp)
	} else {
		tw, th := thumbSize(a.Width, a.Height)
		args = append(ffargs.CheckedPictureInput(a.Format, src, ffargs.Lowres(a.Format, a.Width, a.Height, tw, th)),
			"-map", "0:v:0", "-frames:v", "1", "-f", "null", "-")
		path = ""
	}
	tctx, cancel := context.WithTimeout(ctx, thumbnailTimeout)
	warnings, err := in.ff.As(ffmpeg.KindStill).RunWarnings(tctx, args)
	cancel()
	decoded()
	if err == nil && tmp != "" {
		if fi, serr := os.Stat(tmp); serr != nil || fi.Size() == 0 {
			err = simvid.Errorf(simvid.EInternal, "media: the still of %s is empty", a.ID)
		}
	}
	if err := in.decodeError(ctx, name, src, a.Format, warnings, err); err != nil {
		return err
	}
	in.keepStill(ctx, a, tmp, path)
	return nil
}
