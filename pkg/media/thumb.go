package media

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/rwcarlsen/goexif/exif"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/ffargs"
	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/simvid"
)

// ThumbnailSide is the longest side of a thumbnail in pixels; smaller pictures keep their size.
const ThumbnailSide = 400

// readEXIF returns the EXIF orientation (1..8) of a JPEG or TIFF and when it was taken (nil
// when unknown); 1 and nil for other formats and when there is no readable tag: a missing or
// broken EXIF block is common and harmless.
func readEXIF(path, format string, log *zap.Logger) (o int, taken *time.Time) {
	if format != "jpeg" && format != "tiff" {
		return 1, nil
	}
	defer func() {
		if r := recover(); r != nil { // goexif is not hardened against hostile input
			log.Warn("exif parser panicked", zap.Any("panic", r))
			o, taken = 1, nil
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		return 1, nil
	}
	defer func() { _ = f.Close() }()
	x, _ := exif.Decode(f) // a partly broken block still yields x (a non-critical error)
	if x == nil {
		return 1, nil
	}
	return exifOrientation(x), takenAt(x)
}

func exifOrientation(x *exif.Exif) int {
	tag, err := x.Get(exif.Orientation)
	if err != nil {
		return 1
	}
	v, err := tag.Int(0)
	if err != nil || v < 1 || v > 8 {
		return 1
	}
	return v
}

// thumbSize fits upright w×h into ThumbnailSide without enlarging, keeping the aspect.
func thumbSize(w, h int) (int, int) {
	if w <= ThumbnailSide && h <= ThumbnailSide {
		return w, h
	}
	if w >= h {
		return ThumbnailSide, max(1, (h*ThumbnailSide+w/2)/w)
	}
	return max(1, (w*ThumbnailSide+h/2)/h), ThumbnailSide
}

// StillFunc tells intake which render still to make from the picture in the same decode as
// its thumbnail: filter is the still's graph (see StillGraph), lowres the scale-down the
// render decodes the picture at for it (render.Still.Lowres) and path is where the still
// belongs. A nil filter, or a path that exists, asks for nothing. This is how a render usually
// finds its pictures prepared.
type StillFunc func(a *simvid.Asset) (filter StillGraph, lowres int, path string)

// StillGraph maps the decoded picture's pad in to [v] (render.StillFilterTap). When its fit
// scales the picture down to a long side of at least minSide it also sends the upright, fitted
// picture to the pad tap and says so: the thumbnail is then scaled from that rather than from
// the full decode. tap "" asks for no tap.
type StillGraph func(in, tap string, minSide int) (graph string, tapped bool)

// thumbnail writes the upright JPEG thumbnail of src to a temp file and returns its path; when
// still asks for one, the same decode also writes that still, into place. This is the
// picture's only decode at intake, so it is also the check that the pixels decode.
// ffargs.PictureInput with ffargs.OrientFilter turns every format the same way; the mjpeg
// encoder writes no EXIF, and metadata is not copied, so no GPS position leaks into what is
// served. decoded is called as soon as ffmpeg has ended, before the still is committed.
func (in *Intake) thumbnail(ctx context.Context, src, name string, a *simvid.Asset, still StillFunc, decoded func()) (string, error) {
	out, err := in.st.tempPath("thumb-*.jpg")
	if err != nil {
		return "", err
	}
	tw, th := thumbSize(a.Width, a.Height)
	fit := "scale=" + strconv.Itoa(tw) + ":" + strconv.Itoa(th) + ",format=yuvj420p" // from an upright picture
	vf := fit
	if o := ffargs.OrientFilter(a.Orientation); o != "" {
		vf = o + "," + vf
	}
	thumbOut := []string{"-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
		"-frames:v", "1", "-c:v", "mjpeg", "-q:v", "4", "-f", "image2", "-update", "1", out}
	var args []string
	var stillTmp, stillPath string
	if filter, k, path := stillWanted(still, a, tw, th); filter != nil {
		if stillTmp, err = in.st.tempPath("still-*.y4m"); err != nil {
			return "", err
		}
		defer os.Remove(stillTmp) // gone once renamed into place
		stillPath = path
		// Decoded as the render decodes it, so the still is the same bytes.
		args = ffargs.CheckedPictureInput(a.Format, src, k)
		// The thumbnail comes from the still's fitted picture when that is large enough (a
		// couple of megapixels to scale down rather than the whole decode); else from the
		// decode, beside the still. Two pixels spare: the fit rounds its size to even numbers.
		graph, tapped := filter("[0:v]", "[t]", ThumbnailSide+2)
		if tapped {
			graph += ";[t]" + fit + "[tv]"
		} else {
			graph, _ = filter("[s]", "", 0)
			graph = "[0:v]split=2[t][s];[t]" + vf + "[tv];" + graph
		}
		args = append(append(args, ffargs.PictureGraph(graph)...), "-map", "[tv]")
		args = append(args, thumbOut...)
		args = append(args, "-map", "[v]", "-frames:v", "1", "-an", "-f", "yuv4mpegpipe", stillTmp)
	} else {
		// A thumbnail alone needs no more than its own size: ffargs.Lowres decodes a large
		// JPEG at a fraction of it, and the thumbnail looks the same.
		args = ffargs.CheckedPictureInput(a.Format, src, ffargs.Lowres(a.Format, a.Width, a.Height, tw, th))
		args = append(append(append(args, "-map", "0:v:0"), ffargs.PictureFilter(vf)...), thumbOut...)
	}
	tctx, cancel := context.WithTimeout(ctx, thumbnailTimeout)
	kind := ffmpeg.KindThumbnail
	if stillTmp != "" {
		kind = ffmpeg.KindThumbStill
	}
	warnings, err := in.ff.As(kind).RunWarnings(tctx, args)
	cancel()
	decoded() // the decode is over: the commits below are I/O (over a store, uploads)
	if err == nil {
		if fi, serr := os.Stat(out); serr != nil || fi.Size() == 0 {
			err = fmt.Errorf("media: thumbnail of %s is empty", a.ID)
		}
	}
	if err := in.decodeError(ctx, name, src, a.Format, warnings, err); err != nil {
		_ = os.Remove(out)
		return "", err
	}
	in.keepStill(ctx, a, stillTmp, stillPath)
	return out, nil
}

// decodeError turns the outcome of a picture's one decode (ffmpeg's warnings and error) into
// intake's refusal naming the file, or nil when the picture decoded whole.
func (in *Intake) decodeError(ctx context.Context, name, src, format, warnings string, err error) error {
	if err == nil && ffmpeg.Concealed(warnings) {
		return damaged(name, src, format, warnings, nil)
	}
	if err != nil {
		if re, ok := decodeFailure(err); ok && ctx.Err() == nil {
			return damaged(name, src, format, re.Stderr, err)
		}
		return in.toolError(ctx, err, "%s could not be read as a picture", name)
	}
	return nil
}

// keepStill commits a still made at intake into the cache ("" tmp: none was made).
func (in *Intake) keepStill(ctx context.Context, a *simvid.Asset, tmp, path string) {
	if path == "" {
		return
	}
	// A still is a cache entry: losing it costs a decode at render time, nothing more.
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
		if err := in.st.Commit(ctx, tmp, path); err != nil {
			in.log.Warn("keeping the prepared still failed", zap.String("asset_id", a.ID), zap.Error(err))
		}
	}
}

// stillWanted asks still for a still of a, unless it exists already, or unless the render
// decodes a so small for it (a still under a few hundred pixels) that the same decode would
// not cover the tw×th thumbnail: the render makes such a still itself.
func stillWanted(still StillFunc, a *simvid.Asset, tw, th int) (StillGraph, int, string) {
	if still == nil {
		return nil, 0, ""
	}
	filter, k, path := still(a)
	if filter == nil || path == "" || k > ffargs.Lowres(a.Format, a.Width, a.Height, tw, th) {
		return nil, 0, ""
	}
	if _, err := os.Stat(path); err == nil {
		return nil, 0, ""
	}
	return filter, k, path
}
