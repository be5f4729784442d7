package media

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/ffargs"
	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/simvid"
)

// Filmstrip shape: FilmstripFrames frames of FilmstripHeight pixels side by side, in one
// JPEG, for the page's trim handles.
const (
	FilmstripFrames = 10
	FilmstripHeight = 64
)

// clipTimeout bounds a clip's decode check: a few seeks and a second of frames near its end.
const clipTimeout = 2 * time.Minute

// clipFormats are the sniffed containers taken as video clips (M4V sniffs as mp4).
var clipFormats = map[string]bool{"mp4": true, "mov": true, "3gp": true, "webm": true, "matroska": true}

// clipCodecs are the video codecs of the phones and cameras a clip comes from; whether this
// ffmpeg decodes one (AV1 needs libdav1d or libaom) is the decode check's to say.
var clipCodecs = map[string]bool{"h264": true, "hevc": true, "vp8": true, "vp9": true, "av1": true,
	"mpeg4": true, "h263": true, "mjpeg": true, "prores": true}

// isClip reports whether a sniffed upload is a container intake takes as a video clip.
func isClip(sn sniffed) bool { return sn.kind == sniffAV && clipFormats[sn.format] }

// clipInto takes in a video clip that ImageInto received and sniffed: probe, limits, a decode
// check at its start and near its end, the poster frame (its thumbnail) and the filmstrip,
// in one ffmpeg run. a becomes a clip asset (Kind clip, Clip set); on error nothing is left.
func (in *Intake) clipInto(ctx context.Context, a *simvid.Asset, up *upload, sn sniffed) error {
	name := a.OriginalName
	if lim := in.clipBytes(); lim > 0 && up.size > lim {
		return simvid.Errorf(simvid.ETooLarge, "%s is larger than the %s limit for video clips", name, humanBytes(lim))
	}
	origPath, err := in.st.Original(a.ProjectID, a.ID)
	if err != nil {
		return err
	}
	thumbPath, _ := in.st.Thumbnail(a.ProjectID, a.ID)
	stripPath, err := in.st.Filmstrip(a.ProjectID, a.ID)
	if err != nil {
		return err
	}
	p, err := in.probeClip(ctx, up.path, name, sn)
	if err != nil {
		return err
	}
	info, err := in.clipFacts(name, p, a)
	if err != nil {
		return err
	}
	a.Kind, a.Format, a.Clip = simvid.KindClip, sn.format, info
	a.TakenAt = creationTime(p)
	release, err := in.acquire(ctx, int64(info.CodedWidth)*int64(info.CodedHeight))
	if err != nil {
		return err
	}
	poster, strip, err := in.clipFrames(ctx, up.path, name, a)
	release()
	if err != nil {
		return err
	}
	defer os.Remove(poster)
	defer os.Remove(strip)
	if err := in.place(ctx, [2]string{up.path, origPath}, [2]string{poster, thumbPath}, [2]string{strip, stripPath}); err != nil {
		return err
	}
	up.placed = true
	a.CreatedAt = time.Now().UTC()
	in.log.Info("clip accepted", zap.String("project_id", a.ProjectID), zap.String("asset_id", a.ID),
		zap.String("format", a.Format), zap.String("codec", a.Codec), zap.Int("width", a.Width),
		zap.Int("height", a.Height), zap.Float64("duration", a.Duration), zap.Int("rotation", info.Rotation),
		zap.String("hdr", info.HDR), zap.Int64("size", a.Size))
	return nil
}

// clipBytes is the size limit of a clip: ClipBytes, else the limit of any file.
func (in *Intake) clipBytes() int64 {
	if in.lim.ClipBytes > 0 {
		return in.lim.ClipBytes
	}
	return in.lim.FileBytes
}

// receiveBytes is what receive lets in before it knows a picture from a clip: the larger of
// the two limits (a picture over FileBytes is refused once sniffed).
func (in *Intake) receiveBytes() int64 {
	if in.lim.FileBytes <= 0 || in.lim.ClipBytes <= 0 {
		return in.lim.FileBytes // no limit at all, or the one limit of every file
	}
	return max(in.lim.FileBytes, in.lim.ClipBytes)
}

// probeClip runs ffprobe on a clip. -max_pixels stops its decoder before it allocates a
// frame over the pixel limit (ffprobe decodes a frame or two to find the stream's
// parameters), so a 16K clip is refused from its header alone.
func (in *Intake) probeClip(ctx context.Context, path, name string, sn sniffed) (*ffmpeg.Probe, error) {
	release, err := in.acquire(ctx, 0)
	if err != nil {
		return nil, err
	}
	var extra []string
	if in.lim.ClipPixels > 0 {
		extra = []string{"-max_pixels", strconv.FormatInt(in.lim.ClipPixels, 10)}
	}
	p, err := in.ff.ProbeInput(ctx, sn.format, path, in.lim.ProbeTimeout, extra...)
	release()
	var over *ffmpeg.PixelsError
	if errors.As(err, &over) {
		return nil, in.clipTooManyPixels(name, over.W, over.H)
	}
	if err != nil {
		return nil, in.toolError(ctx, err, "%s could not be read as a video", name)
	}
	return p, nil
}

func (in *Intake) clipTooManyPixels(name string, w, h int) error {
	return simvid.Errorf(simvid.ETooLarge, "%s is a %d×%d video (%s megapixels a frame); the limit for clips is %s megapixels",
		name, w, h, megapixels(int64(w)*int64(h)), megapixels(in.lim.ClipPixels))
}

// clipFacts reads what a clip is from its probe, fills a's size, length and codec, and
// refuses a clip without pictures, without a known length, or over a limit.
func (in *Intake) clipFacts(name string, p *ffmpeg.Probe, a *simvid.Asset) (*simvid.ClipInfo, error) {
	v := p.Video()
	if v == nil {
		if p.Audio() != nil {
			return nil, simvid.Errorf(simvid.EUnprocessable,
				"%s has sound but no pictures; to use it as the soundtrack, upload it as music", name)
		}
		return nil, simvid.Errorf(simvid.EUnprocessable, "%s has no video in it", name)
	}
	if !clipCodecs[v.CodecName] {
		return nil, simvid.Errorf(simvid.EUnsupported, "%s is a video in the %s format, which is not supported; please convert it to H.264 MP4",
			name, strings.ToUpper(v.CodecName))
	}
	if n, err := strconv.Atoi(v.NbFrames); err == nil && n == 0 {
		return nil, simvid.Errorf(simvid.EUnprocessable, "%s has no video frames in it", name)
	}
	if v.Width <= 0 || v.Height <= 0 {
		return nil, simvid.Errorf(simvid.EUnprocessable, "%s is damaged: its frame size is unknown", name)
	}
	if lim := in.lim.ClipPixels; lim > 0 && int64(v.Width)*int64(v.Height) > lim {
		return nil, in.clipTooManyPixels(name, v.Width, v.Height)
	}
	d := p.Duration()
	if d <= 0 {
		d = v.Seconds()
	}
	if d <= 0 || math.IsInf(d, 0) || math.IsNaN(d) {
		return nil, simvid.Errorf(simvid.EUnprocessable, "%s could not be read as a video: its length is unknown", name)
	}
	if lim := in.lim.ClipSeconds; lim > 0 && d > lim {
		return nil, simvid.Errorf(simvid.ETooLarge, "%s lasts %s; the limit for clips is %s", name, clock(math.Ceil(d)), clock(lim))
	}
	avg, real := ffmpeg.Rate(v.AvgFrameRate), ffmpeg.Rate(v.RFrameRate)
	fps := avg
	if fps <= 0 {
		fps = real
	}
	if lim := in.lim.ClipFPS; lim > 0 && fps > lim+0.01 {
		return nil, simvid.Errorf(simvid.ETooLarge, "%s has %.4g frames a second; the limit for clips is %g", name, fps, lim)
	}
	info := &simvid.ClipInfo{
		FPS: math.Round(fps*1000) / 1000, Rotation: v.Rotation(), HasAudio: p.Audio() != nil,
		HDR: hdrOf(v.ColorTransfer), BitDepth: bitDepth(v), CodedWidth: v.Width, CodedHeight: v.Height,
		// A constant-rate stream averages its real (base) rate; a phone's variable-rate one
		// averages less, or more, than the rate its timestamps are written in.
		VFR: avg > 0 && real > 0 && math.Abs(avg-real) > 0.01*real,
	}
	info.Frames, _ = strconv.Atoi(v.NbFrames)
	if v.ColorSpace != "unknown" {
		info.Matrix = v.ColorSpace
	}
	w, h := displaySize(v)
	if info.Rotation == 90 || info.Rotation == 270 {
		w, h = h, w
	}
	a.Width, a.Height, a.Duration, a.Codec, a.PixFmt = w, h, d, v.CodecName, v.PixFmt
	return info, nil
}

// displaySize is the frame size with the sample aspect ratio applied to its width (even, as
// the encoders want), before rotation.
func displaySize(v *ffmpeg.ProbeStream) (int, int) {
	w, h := v.Width, v.Height
	n, d, ok := strings.Cut(v.SAR, ":")
	num, _ := strconv.Atoi(n)
	den, _ := strconv.Atoi(d)
	if ok && num > 0 && den > 0 && num != den {
		w = max(2, int(math.Round(float64(w)*float64(num)/float64(den)/2))*2)
	}
	return w, h
}

// hdrOf names the HDR transfer of a stream: HLG and PQ, as recent phones record them.
func hdrOf(transfer string) string {
	switch transfer {
	case "arib-std-b67":
		return "hlg"
	case "smpte2084":
		return "pq"
	}
	return ""
}

// bitDepth is bits a sample: what the stream says, else what its pixel format says.
func bitDepth(v *ffmpeg.ProbeStream) int {
	if n, err := strconv.Atoi(v.BitsPerSample); err == nil && n > 0 {
		return n
	}
	for _, d := range []string{"16", "14", "12", "10"} {
		if strings.Contains(v.PixFmt, d+"le") || strings.Contains(v.PixFmt, d+"be") {
			n, _ := strconv.Atoi(d)
			return n
		}
	}
	return 8
}

// creationTime is when the container says the clip was recorded; nil when it does not, or
// says a time no phone records (the epochs of MP4 and Unix, written by tools without a clock).
func creationTime(p *ffmpeg.Probe) *time.Time {
	s := p.Format.Tags["creation_time"]
	if s == "" {
		if v := p.Video(); v != nil {
			s = v.Tags["creation_time"]
		}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() < 1990 {
		return nil
	}
	t = t.UTC()
	return &t
}

// clipFrames decodes the poster frame (the first), FilmstripFrames frames spread over the
// clip (a key frame each: cheap, and close enough for trim handles) and the last half second
// of frames, all upright (ffmpeg turns them by the display matrix), in one run. It is the
// check that the clip decodes: -xerror ends the run at the first decode error, and a clip
// that yields no frame at some point fails. It returns the two JPEGs' temp paths.
func (in *Intake) clipFrames(ctx context.Context, src, name string, a *simvid.Asset) (string, string, error) {
	input, err := ffargs.Input(a.Format, src)
	if err != nil {
		return "", "", simvid.Wrap(simvid.EUnsupported, err, "%s is not a video this server accepts", name)
	}
	poster, err := in.st.tempPath("poster-*.jpg")
	if err != nil {
		return "", "", err
	}
	strip, err := in.st.tempPath("strip-*.jpg")
	if err != nil {
		_ = os.Remove(poster)
		return "", "", err
	}
	ok := false
	defer func() {
		if !ok {
			_ = os.Remove(poster)
			_ = os.Remove(strip)
		}
	}()
	d := a.Duration
	args := []string{"-xerror"}
	args = append(args, input...) // 0: from the start, the poster
	for i := range FilmstripFrames {
		t := d * (float64(i) + 0.5) / FilmstripFrames
		// One thread each: a key frame apiece needs none, and ten decoders of a 4K clip with
		// a frame thread per core would hold hundreds of megabytes for nothing.
		args = append(args, "-threads", "1", "-skip_frame", "nokey", "-noaccurate_seek", "-ss", seconds(t))
		args = append(args, input...)
	}
	args = append(args, "-ss", seconds(max(0, d-0.5))) // the end: every frame of its last half second
	args = append(args, input...)

	tw, th := thumbSize(a.Width, a.Height)
	sh := FilmstripHeight
	sw := max(2, (a.Width*sh/a.Height+1)/2*2)
	var g strings.Builder
	fmt.Fprintf(&g, "[0:v]%s,format=yuvj420p[p]", clipLook(a, tw, th))
	for i := 1; i <= FilmstripFrames; i++ {
		fmt.Fprintf(&g, ";[%d:v]trim=end_frame=1,setpts=PTS-STARTPTS,%s[s%d]", i, clipLook(a, sw, sh), i)
	}
	g.WriteString(";")
	for i := 1; i <= FilmstripFrames; i++ {
		fmt.Fprintf(&g, "[s%d]", i)
	}
	fmt.Fprintf(&g, "hstack=inputs=%d,format=yuvj420p[st]", FilmstripFrames)
	jpeg := []string{"-map_metadata", "-1", "-frames:v", "1", "-c:v", "mjpeg", "-q:v", "4", "-f", "image2", "-update", "1"}
	args = append(args, "-filter_complex", g.String(), "-map", "[p]")
	args = append(append(args, jpeg...), poster, "-map", "[st]")
	args = append(append(args, jpeg...), strip)
	args = append(args, "-map", strconv.Itoa(FilmstripFrames+1)+":v:0", "-an", "-f", "null", "-")

	tctx, cancel := context.WithTimeout(ctx, clipTimeout)
	warnings, err := in.ff.As(ffmpeg.KindClipIntake).RunWarnings(tctx, args)
	cancel()
	if err == nil {
		// The demuxer only warns of a file cut short, and ffmpeg ends well with what it read.
		if strings.Contains(warnings, "partial file") {
			return "", "", simvid.Errorf(simvid.EUnprocessable, "%s could not be decoded: %s", name, clipEndsEarly)
		}
		for _, f := range []string{poster, strip} {
			if fi, serr := os.Stat(f); serr != nil || fi.Size() == 0 {
				return "", "", simvid.Errorf(simvid.EUnprocessable, "%s could not be decoded: no frame came out of it", name)
			}
		}
		ok = true
		return poster, strip, nil
	}
	if re, ok := decodeFailure(err); ok && ctx.Err() == nil {
		return "", "", simvid.Wrap(simvid.EUnprocessable, err, "%s could not be decoded: %s", name, clipReason(re))
	}
	return "", "", in.toolError(ctx, err, "%s could not be decoded", name)
}

// clipLook scales a clip's upright frame to w×h and makes it look as the clip does in a
// render: an HDR clip tone-mapped to SDR BT.709 as its segments are (ffargs.ToneMap), an SDR
// one read with its own matrix (ffargs.ClipMatrix). A JPEG made from it is BT.601 full range,
// to which the next conversion goes.
func clipLook(a *simvid.Asset, w, h int) string {
	ci := a.Clip
	if tm := ffargs.ToneMap(ci.HDR); tm != "" {
		return fmt.Sprintf("scale=%d:%d:out_range=tv,setsar=1,%s,scale=in_color_matrix=bt709:in_range=tv,%s", w, h, tm, ffargs.WorkRGB)
	}
	return fmt.Sprintf("scale=%d:%d:in_color_matrix=%s,%s,setsar=1", w, h,
		ffargs.ClipMatrix(ci.Matrix, ci.CodedWidth, ci.CodedHeight), ffargs.WorkRGB)
}

const clipEndsEarly = "the file ends early (it may not have been copied whole)"

// clipReason words a failed decode of a clip.
func clipReason(re *ffmpeg.RunError) string {
	switch {
	case strings.Contains(re.Stderr, "partial file"), ffmpeg.EndsEarly(re.Stderr):
		return clipEndsEarly
	case strings.Contains(re.Stderr, "Decoder (codec") && strings.Contains(re.Stderr, "not found"):
		return "this server cannot decode its video format"
	}
	return re.Message
}

// seconds formats a time for -ss: milliseconds are enough.
func seconds(t float64) string { return strconv.FormatFloat(t, 'f', 3, 64) }
