package ffmpeg

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/simvid/simvid/pkg/ffargs"
)

// Probe is what ffprobe says about a file.
type Probe struct {
	Format  ProbeFormat   `json:"format"`
	Streams []ProbeStream `json:"streams"`
	// Errors is what ffprobe said at error level though it succeeded (ProbeInput only): a
	// picture whose decode failed is reported without its size, and this says why.
	Errors string `json:"-"`
}

// ProbeFormat is the container part of a probe.
type ProbeFormat struct {
	FormatName string            `json:"format_name"`
	Duration   string            `json:"duration"`
	Size       string            `json:"size"`
	BitRate    string            `json:"bit_rate"`
	Tags       map[string]string `json:"tags"`
}

// ProbeStream is one stream of a probe.
type ProbeStream struct {
	Index        int               `json:"index"`
	CodecType    string            `json:"codec_type"` // video, audio
	CodecName    string            `json:"codec_name"`
	Width        int               `json:"width"`
	Height       int               `json:"height"`
	PixFmt       string            `json:"pix_fmt"`
	SampleRate   string            `json:"sample_rate"`
	Channels     int               `json:"channels"`
	Duration     string            `json:"duration"`
	NbFrames     string            `json:"nb_frames"`
	NbReadFrames string            `json:"nb_read_frames"`
	RFrameRate   string            `json:"r_frame_rate"`
	AvgFrameRate string            `json:"avg_frame_rate"`
	Disposition  map[string]int    `json:"disposition"`
	Tags         map[string]string `json:"tags"`
	// Video only: the stored frame size, the sample aspect ratio ("4:3"; "0:1" or "" when
	// unknown), colour transfer and primaries, bits a sample, and side data (a display matrix).
	CodedWidth     int             `json:"coded_width"`
	CodedHeight    int             `json:"coded_height"`
	SAR            string          `json:"sample_aspect_ratio"`
	ColorTransfer  string          `json:"color_transfer"`
	ColorPrimaries string          `json:"color_primaries"`
	ColorSpace     string          `json:"color_space"` // the YUV matrix
	BitsPerSample  string          `json:"bits_per_raw_sample"`
	SideData       []ProbeSideData `json:"side_data_list"`
}

// ProbeSideData is one entry of a stream's side data; Rotation is set for a display matrix:
// degrees counter-clockwise, as ffprobe prints them.
type ProbeSideData struct {
	Type     string  `json:"side_data_type"`
	Rotation float64 `json:"rotation"`
}

// Rate parses a frame rate as ffprobe writes it ("30000/1001"); 0 when unknown.
func Rate(s string) float64 {
	n, d, ok := strings.Cut(s, "/")
	if !ok {
		return atof(s)
	}
	den := atof(d)
	if den == 0 {
		return 0
	}
	return atof(n) / den
}

// Rotation is how many degrees clockwise (0, 90, 180, 270) turn the stream's frames upright,
// as ffmpeg's own autorotation turns them: from the display matrix, else the older rotate tag.
func (s *ProbeStream) Rotation() int {
	deg := 0.0
	found := false
	for _, sd := range s.SideData {
		if sd.Type == "Display Matrix" {
			deg, found = -sd.Rotation, true // ffprobe prints the matrix's counter-clockwise angle
			break
		}
	}
	if !found {
		deg = atof(s.Tags["rotate"])
	}
	r := int(math.Round(deg/90)) * 90 % 360
	if r < 0 {
		r += 360
	}
	return r
}

// Duration returns the container duration in seconds (0 when unknown).
func (p *Probe) Duration() float64 { return atof(p.Format.Duration) }

// Video returns the first video stream that is not attached cover art, or nil.
func (p *Probe) Video() *ProbeStream {
	for i := range p.Streams {
		s := &p.Streams[i]
		if s.CodecType == "video" && s.Disposition["attached_pic"] == 0 {
			return s
		}
	}
	return nil
}

// Image returns the first video stream, cover art included: a still image's only stream.
func (p *Probe) Image() *ProbeStream {
	for i := range p.Streams {
		if p.Streams[i].CodecType == "video" {
			return &p.Streams[i]
		}
	}
	return nil
}

// Audio returns the first audio stream, or nil.
func (p *Probe) Audio() *ProbeStream {
	for i := range p.Streams {
		if p.Streams[i].CodecType == "audio" {
			return &p.Streams[i]
		}
	}
	return nil
}

// Seconds returns the stream duration in seconds (0 when unknown).
func (s *ProbeStream) Seconds() float64 { return atof(s.Duration) }

// Frames returns the counted frames (from -count_frames) or the container's frame count.
func (s *ProbeStream) Frames() int64 {
	if n, err := strconv.ParseInt(s.NbReadFrames, 10, 64); err == nil {
		return n
	}
	n, _ := strconv.ParseInt(s.NbFrames, 10, 64)
	return n
}

// ProbeFile runs ffprobe on path under timeout. countFrames decodes the whole file to count
// video frames exactly (slow; for tests and checks).
func (r *Runner) ProbeFile(ctx context.Context, path string, timeout time.Duration, countFrames bool) (*Probe, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	args := []string{"-v", "error", "-print_format", "json", "-show_format", "-show_streams"}
	if countFrames {
		args = append(args, "-count_frames")
	}
	args = append(args, "--", path)
	out, err := r.output(ctx, r.ffprobe, args)
	if err != nil {
		return nil, fmt.Errorf("ffmpeg: probe: %w", err)
	}
	var p Probe
	if err := json.Unmarshal(out, &p); err != nil {
		return nil, fmt.Errorf("ffmpeg: probe output: %w", err)
	}
	return &p, nil
}

// ProbeInput is ProbeFile for user data: path is read as format (sniffed: "mp3", "tiff", ...)
// with its own demuxer and the file protocol only (ffargs.Input). extra options go before the
// input: -max_pixels stops a picture's decoder before it allocates more, and the probe then
// fails with a *PixelsError.
func (r *Runner) ProbeInput(ctx context.Context, format, path string, timeout time.Duration, extra ...string) (*Probe, error) {
	in, err := ffargs.Input(format, path)
	if err != nil {
		return nil, err
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	args := append([]string{"-v", "error", "-print_format", "json", "-show_format", "-show_streams"}, extra...)
	out, stderr, err := r.outputStderr(ctx, r.ffprobe, append(args, in...))
	if m := overPixels.FindStringSubmatch(stderr); m != nil {
		w, _ := strconv.Atoi(m[1])
		h, _ := strconv.Atoi(m[2])
		return nil, &PixelsError{W: w, H: h}
	}
	if err != nil {
		return nil, fmt.Errorf("ffmpeg: probe: %w", err)
	}
	var p Probe
	if err := json.Unmarshal(out, &p); err != nil {
		return nil, fmt.Errorf("ffmpeg: probe output: %w", err)
	}
	p.Errors = stderr
	return &p, nil
}

// overPixels is what a decoder says when -max_pixels stops it (libavutil's imgutils).
var overPixels = regexp.MustCompile(`Picture size (\d+)x(\d+) exceeds specified max pixel count`)

// PixelsError is a probe stopped by -max_pixels: the picture is W×H.
type PixelsError struct{ W, H int }

func (e *PixelsError) Error() string {
	return fmt.Sprintf("ffmpeg: the picture is %dx%d, over the pixel limit", e.W, e.H)
}

func atof(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}
