package media

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"

	"github.com/simvid/simvid/pkg/ffargs"
	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/simvid"
)

// decodeConfig reads a picture's dimensions from its header, per sniffed format: the pixel
// limit must hold before anything decodes the pixels (a decompression bomb is small on disk).
var decodeConfig = map[string]func(io.Reader) (image.Config, error){
	"jpeg": jpeg.DecodeConfig, "png": png.DecodeConfig, "gif": gif.DecodeConfig,
	"webp": webp.DecodeConfig, "bmp": bmp.DecodeConfig, "tiff": tiff.DecodeConfig,
}

// Image takes in a picture: see the package doc. name is the user's file name, for
// messages only. On any error nothing is left on disk.
func (in *Intake) Image(ctx context.Context, projectID, name string, r io.Reader) (*simvid.Asset, error) {
	return in.ImageWithStill(ctx, projectID, name, r, nil)
}

// ImageWithStill is Image that also prepares the render still still asks for, from the same
// decode as the thumbnail. A video clip is taken too (the asset comes back of kind clip):
// uploads of pictures and clips share this door.
func (in *Intake) ImageWithStill(ctx context.Context, projectID, name string, r io.Reader, still StillFunc) (*simvid.Asset, error) {
	a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixImage), ProjectID: projectID, Kind: simvid.KindImage,
		State: simvid.AssetReady, OriginalName: DisplayName(name)}
	if err := in.imageInto(ctx, a, r, still, imageOpts{thumb: true, clips: true}); err != nil {
		return nil, err
	}
	return a, nil
}

// ImageInto takes in a picture for an asset that already exists (a picture fetched from a
// link): the same checks as an upload, named by a.OriginalName; it fills size, hash, format,
// orientation and dimensions and puts the original and its thumbnail in place. On any error
// nothing is left on disk. It takes pictures only: a clip behind a picture's link is refused.
func (in *Intake) ImageInto(ctx context.Context, a *simvid.Asset, r io.Reader, still StillFunc) error {
	return in.imageInto(ctx, a, r, still, imageOpts{thumb: true})
}

// ImageForRender takes in a picture for a render on this machine (simvid render), which
// shows no thumbnail: the same checks and messages as Image, and one decode, straight to
// the render still that still asks for (none when it is cached already: the same bytes
// decoded before). A picture with no still to make is decoded once to nothing, as the check.
func (in *Intake) ImageForRender(ctx context.Context, projectID, name string, r io.Reader, still StillFunc) (*simvid.Asset, error) {
	a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixImage), ProjectID: projectID, Kind: simvid.KindImage,
		State: simvid.AssetReady, OriginalName: DisplayName(name)}
	if err := in.imageInto(ctx, a, r, still, imageOpts{clips: true}); err != nil {
		return nil, err
	}
	return a, nil
}

// imageOpts are what the doors of imageInto differ in: a thumbnail (not for a render on
// this machine) and video clips (uploads and simvid render, not picture links).
type imageOpts struct{ thumb, clips bool }

// imageInto is ImageInto with opts.
func (in *Intake) imageInto(ctx context.Context, a *simvid.Asset, r io.Reader, still StillFunc, opts imageOpts) error {
	name, projectID := a.OriginalName, a.ProjectID
	origPath, err := in.st.Original(projectID, a.ID)
	if err != nil {
		return err
	}
	thumbPath, _ := in.st.Thumbnail(projectID, a.ID) // same ids: cannot fail after Original
	// A clip may be larger than a picture: the bytes are let in up to the larger limit, and
	// a picture past its own is refused once sniffed.
	limit := in.lim.FileBytes
	if opts.clips {
		limit = in.receiveBytes()
	}
	up, err := in.receiveUpTo(name, r, limit)
	if err != nil {
		return err
	}
	defer up.cleanup()
	a.Size, a.SHA256 = up.size, up.sha

	sn := sniff(up.head)
	if opts.clips && isClip(sn) {
		return in.clipInto(ctx, a, up, sn)
	}
	if lim := in.lim.FileBytes; lim > 0 && up.size > lim {
		return simvid.Errorf(simvid.ETooLarge, "%s is larger than the %s limit", name, humanBytes(lim))
	}
	if err := refuseImage(name, sn); err != nil {
		return err
	}
	a.Format = sn.format
	cfg, err := in.imageConfig(ctx, up.path, name, sn)
	if err != nil {
		return err
	}
	w, h := cfg.Width, cfg.Height
	a.PixFmt = cfg.pixFmt
	a.Orientation, a.TakenAt = readEXIF(up.path, sn.format, in.log)
	// From here the picture is decoded: at most Limits.Decodes turns at once, a large picture
	// taking more than one (Limits.DecodePixels). The upload itself (above) is only bytes to
	// disk, and does not wait its turn. There is no ffprobe: it would decode the whole picture
	// once more only to say what the header said already.
	release, err := in.acquire(ctx, int64(w)*int64(h))
	if err != nil {
		return err
	}
	// The turn ends with the decode: placing the files is I/O, over an object store an upload
	// of each, and a turn held through them would leave a core idle while others wait.
	var once sync.Once
	decoded := func() { once.Do(release) }
	defer decoded()
	a.Width, a.Height = w, h
	if ffargs.Swaps(a.Orientation) {
		a.Width, a.Height = h, w
	}
	if !opts.thumb {
		if err := in.stillOnly(ctx, up.path, name, a, still, decoded); err != nil {
			return err
		}
		if err := in.place(ctx, [2]string{up.path, origPath}); err != nil {
			return err
		}
	} else {
		thumb, err := in.thumbnail(ctx, up.path, name, a, still, decoded)
		if err != nil {
			return err
		}
		if err := in.place(ctx, [2]string{up.path, origPath}, [2]string{thumb, thumbPath}); err != nil {
			_ = os.Remove(thumb)
			return err
		}
	}
	up.placed = true
	a.CreatedAt = time.Now().UTC()
	in.log.Info("image accepted", zap.String("project_id", projectID), zap.String("asset_id", a.ID),
		zap.String("format", a.Format), zap.Int("width", a.Width), zap.Int("height", a.Height),
		zap.Int("orientation", a.Orientation), zap.Int64("size", a.Size))
	return nil
}

// refuseImage says why a sniffed file is not a picture intake takes, or nil.
func refuseImage(name string, sn sniffed) error {
	switch {
	case acceptedImage[sn.format]:
		return nil
	case sn.format == "heic" || sn.format == "heif" || sn.format == "avif":
		return simvid.Errorf(simvid.EUnsupported, "%s is %s, which is not supported yet; please convert it to JPEG", name, sn.what)
	case sn.kind == sniffImage || sn.format == "svg" || sn.format == "psd" || sn.format == "ico":
		return simvid.Errorf(simvid.EUnsupported, "%s is %s, which is not supported; please convert it to JPEG or PNG", name, sn.what)
	case sn.what != "":
		return simvid.Errorf(simvid.EUnsupported, "%s is not a picture (it looks like %s)", name, sn.what)
	}
	return simvid.Errorf(simvid.EUnsupported, "%s is not a picture this server accepts (JPEG, PNG, GIF, WebP, BMP or TIFF)", name)
}

// imageSize is what a picture's header says: its stored size and colour (Asset.PixFmt).
type imageSize struct {
	Width, Height int
	pixFmt        string
}

// imageConfig reads the stored width, height and colour model from the header and enforces
// the pixel limit. Go's header readers know fewer variants than ffmpeg's decoders (a YCbCr or
// JPEG-compressed TIFF, a compressed BMP): what they cannot read, ffprobe reads, so that a
// header check never refuses a picture the decoder takes.
func (in *Intake) imageConfig(ctx context.Context, path, name string, sn sniffed) (imageSize, error) {
	f, err := os.Open(path)
	if err != nil {
		return imageSize{}, fmt.Errorf("media: open upload: %w", err)
	}
	cfg, err := decodeConfig[sn.format](f)
	_ = f.Close()
	size := imageSize{cfg.Width, cfg.Height, colourModel(cfg.ColorModel)}
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		if size, err = in.probeImage(ctx, path, name, sn); err != nil {
			return imageSize{}, err
		}
	}
	px := int64(size.Width) * int64(size.Height)
	if lim := in.lim.ImagePixels; lim > 0 && px > lim {
		return imageSize{}, in.tooManyPixels(name, size.Width, size.Height)
	}
	return size, nil
}

func (in *Intake) tooManyPixels(name string, w, h int) error {
	px, lim := int64(w)*int64(h), in.lim.ImagePixels
	have := megapixels(px)
	if have == megapixels(lim) {
		have = fmt.Sprintf("%.2f", float64(px)/1e6)
	}
	return simvid.Errorf(simvid.ETooLarge, "%s is %d×%d pixels and has %s megapixels; the limit is %s",
		name, w, h, have, megapixels(lim))
}

// probeImage asks ffprobe for the size of a picture Go's header readers refused. ffprobe
// decodes the picture for it, so this takes the turns of the largest picture allowed, and
// -max_pixels stops the decoder before it allocates a picture over the limit (a decompression
// bomb is small on disk). Rare: only variants Go does not read, and damaged headers, come here.
func (in *Intake) probeImage(ctx context.Context, path, name string, sn sniffed) (imageSize, error) {
	release, err := in.acquire(ctx, max(in.lim.ImagePixels, 1))
	if err != nil {
		return imageSize{}, err
	}
	var extra []string
	if in.lim.ImagePixels > 0 {
		extra = []string{"-max_pixels", strconv.FormatInt(in.lim.ImagePixels, 10)}
	}
	p, err := in.ff.ProbeInput(ctx, sn.format, path, in.lim.ProbeTimeout, extra...)
	release()
	var over *ffmpeg.PixelsError
	switch {
	case errors.As(err, &over):
		return imageSize{}, in.tooManyPixels(name, over.W, over.H)
	case err != nil && ctx.Err() != nil:
		return imageSize{}, fmt.Errorf("media: %w", err)
	}
	if re, ok := decodeFailure(err); ok {
		return imageSize{}, damaged(name, path, sn.format, re.Stderr, err)
	}
	if err != nil { // too slow, or the server's fault
		return imageSize{}, in.toolError(ctx, err, "%s could not be read as a picture", name)
	}
	st := p.Image()
	if st == nil || st.Width <= 0 || st.Height <= 0 {
		// It starts as the picture its sniffed format says, and its decoder cannot read it.
		return imageSize{}, damaged(name, path, sn.format, p.Errors, nil)
	}
	return imageSize{st.Width, st.Height, st.PixFmt}, nil
}

// colourModel names the colour model a picture's header declares, for Asset.PixFmt:
// "ycbcr" (JPEG, lossy WebP), "nycbcra" (lossy WebP with alpha), "rgb" and "rgba" (8 bits a
// channel, without and with alpha), "rgb48" and "rgba64" (16 bits), "gray", "gray16",
// "cmyk" and "paletted".
func colourModel(m color.Model) string {
	if _, ok := m.(color.Palette); ok { // a slice: not comparable with ==
		return "paletted"
	}
	switch m {
	case color.YCbCrModel:
		return "ycbcr"
	case color.NYCbCrAModel:
		return "nycbcra"
	case color.RGBAModel: // the decoders' model for opaque 8-bit colour
		return "rgb"
	case color.NRGBAModel:
		return "rgba"
	case color.RGBA64Model:
		return "rgb48"
	case color.NRGBA64Model:
		return "rgba64"
	case color.GrayModel:
		return "gray"
	case color.Gray16Model:
		return "gray16"
	case color.CMYKModel:
		return "cmyk"
	}
	return "other"
}
