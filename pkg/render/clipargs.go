package render

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/simvid/simvid/pkg/ffargs"
)

// clipDemuxers maps a clip's sniffed container to the one demuxer that reads it (see
// ffargs.Input: nothing uploaded is read by a demuxer that opens other files).
var clipDemuxers = map[string]string{
	"mp4": "mov", "mov": "mov", "m4v": "mov", "3gp": "mov", "quicktime": "mov",
	"webm": "matroska", "mkv": "matroska", "matroska": "matroska",
}

// clipInput opens the clip at path from clip second ss (accurate: the frames before it are
// decoded and dropped) for t seconds (0: to its end), as stored: -noautorotate leaves turning
// it upright to clipPrep, after it is scaled down.
func clipInput(c ClipSlide, path string, ss, t float64) ([]string, error) {
	d := clipDemuxers[c.Format]
	if d == "" {
		return nil, fmt.Errorf("render: no demuxer for a clip in %q", c.Format)
	}
	a := []string{"-protocol_whitelist", "file", "-f", d}
	if ss > 0 {
		a = append(a, "-ss", strconv.FormatFloat(ss, 'f', 6, 64))
	}
	if t > 0 {
		a = append(a, "-t", strconv.FormatFloat(t, 'f', 6, 64))
	}
	return append(a, "-noautorotate", "-i", fileURL(path)), nil
}

// clipPrep is the chain from a clip's decoded frames to upright, square-pixel SDR frames in
// the video's YUV (yuv420p, BT.709, limited range) no larger than the fit needs: scaled
// first (a 4K clip is turned, tone-mapped and fitted at about the output size, never at its
// own), converted from its own matrix in the same scale (ffargs.ClipToBT709) or tone-mapped
// from HDR BT.2020, then turned. Only numbers from the probe and the plan go into it.
func clipPrep(c ClipSlide, fit Still) string {
	dw, dh := float64(c.Width), float64(c.Height)
	s := min(float64(fit.W)/dw, float64(fit.H)/dh)
	if fit.Fit == "cover" {
		s = max(float64(fit.W)/dw, float64(fit.H)/dh)
	}
	s = min(s, 1)
	tw, th := evenUp(dw*s), evenUp(dh*s)
	if c.Rotation == 90 || c.Rotation == 270 {
		tw, th = th, tw // scaled as stored, turned after
	}
	var chain string
	if tm := ffargs.ToneMap(c.HDR); tm != "" {
		chain = fmt.Sprintf("scale=%d:%d:out_range=tv,setsar=1,%s", tw, th, tm) // full-range phone clips made limited, as the tone map reads them
	} else {
		cw, ch := c.CodedW, c.CodedH
		if cw == 0 || ch == 0 {
			cw, ch = c.Width, c.Height
		}
		chain = fmt.Sprintf("scale=%d:%d:%s,format=yuv420p,setsar=1", tw, th, ffargs.ClipToBT709(c.Matrix, cw, ch))
	}
	if r := rotateFilter(c.Rotation); r != "" {
		chain += "," + r
	}
	return chain
}

func evenUp(v float64) int { return max(2, (int(math.Ceil(v))+1)&^1) }

// rotateFilter turns a frame deg degrees clockwise.
func rotateFilter(deg int) string {
	switch deg {
	case 90:
		return "transpose=clock"
	case 180:
		return "hflip,vflip"
	case 270:
		return "transpose=cclock"
	}
	return ""
}

// clipGraph is the graph from a clip's [0:v], after pre (a chain ending in a comma, or ""),
// to [v]: prepared (clipPrep), fitted as a picture would be and captioned. Every frame is
// fitted, so in the video's YUV (fitYUV) rather than through RGB and back (at 1080p that
// round trip cost 11 ms of CPU a frame, a third of the clip's encoding), with the fill and
// caption colours given as drawing them in YUV needs (bt601For709); unless one of them is a
// colour that way cannot reach: then in RGB, as a picture.
func clipGraph(c ClipSlide, fit Still, pre string, f Files) (string, error) {
	fit.Orientation, fit.Lowres = 0, 0
	in := "[0:v]" + pre + clipPrep(c, fit) + ","
	yuv := fit.Fit == "blur" || fit.Fit == "cover" || exact601For709(fit.Background)
	if fit.Caption != nil && !exact601For709(fit.Caption.Style.Color) {
		yuv = false
	}
	if !yuv {
		in += "scale=in_color_matrix=bt709:in_range=tv," + ffargs.WorkRGB + ","
		g := StillFilter(fit, in)
		if fit.Caption != nil {
			dt, err := fit.Caption.filter(f)
			if err != nil {
				return "", err
			}
			g = captioned(g, dt)
		}
		return g, nil
	}
	g := fitYUV(fit, in)
	if fit.Caption != nil {
		dt, err := fit.Caption.filterYUV(f)
		if err != nil {
			return "", err
		}
		g = strings.TrimSuffix(g, "[v]") + "," + dt + "[v]"
	}
	return g, nil
}

// clipStillArgs takes one frame of a clip as a still (ClipFrame): the first at or after At,
// or the last at or before it, from a decode of the few frames before it (reversed, so that
// the last comes out first; they are at output size by then).
func clipStillArgs(st Still, srcPath, outPath string, f Files) ([]string, error) {
	cf := st.Clip
	if cf.Run != nil {
		return clipRunStillArgs(st, srcPath, outPath, f)
	}
	g, err := clipGraph(cf.Src, st, "", f)
	if err != nil {
		return nil, err
	}
	ss, t := cf.At, 0.0
	if cf.Last {
		ss = max(0, cf.At-max(0.1, 3/clipFPS(&cf.Src)))
		t = cf.At - ss + 0.001
		g = strings.TrimSuffix(g, "[v]") + ",reverse[v]"
	}
	a, err := clipInput(cf.Src, srcPath, ss, t)
	if err != nil {
		return nil, err
	}
	return append(a, "-frames:v", "1", "-filter_complex", g, "-map", "[v]", "-an",
		"-f", "yuv4mpegpipe", fileURL(outPath)), nil
}

// ClipSegmentArgs encodes a clip segment with one ffmpeg: the clip read from the run's first
// second to its out point, its timestamps divided by the speed, frames picked at the output
// rate by the fps filter (one frame shown or left out, never two blended), prepared and
// fitted (clipGraph), its last frame repeated when the slide outlasts the clip (tpad), cut
// at the segment's frames. The encoder is the one every segment has, with the same colour
// tags (Encoder.Args: they override what the clip's frames say), so that it joins them by a
// copy. stills are where the run's stills (seg.Clip.Stills) go, "" for one not wanted:
// written by the same decode (withRunStills).
func ClipSegmentArgs(seg Segment, srcPath, outPath string, enc Encoder, f Files, stills ...string) ([]string, error) {
	a, g, err := clipRun(seg, srcPath, f)
	if err != nil {
		return nil, err
	}
	g, outs := withRunStills(g, seg.Clip.Stills, stills)
	a = append(a, "-filter_complex", g, "-map", "[v]", "-frames:v", strconv.FormatInt(seg.Frames, 10))
	a = append(a, enc.Args(seg.FPS)...)
	a = append(a, "-an", "-video_track_timescale", strconv.Itoa(TrackTimescale(seg.FPS)), "-f", "mp4", fileURL(outPath))
	return append(a, outs...), nil
}

// clipRun is a clip segment's input and its graph to [v]: the frames it encodes, and after
// them its last repeated.
func clipRun(seg Segment, srcPath string, f Files) ([]string, string, error) {
	c := seg.Clip
	if c == nil {
		return nil, "", fmt.Errorf("render: segment %d has no clip", seg.Index)
	}
	pts := "PTS-STARTPTS"
	if c.Src.Speed != 1 {
		pts = "(PTS-STARTPTS)/" + ff(c.Src.Speed)
	}
	pre := fmt.Sprintf("setpts=%s,fps=%d,", pts, seg.FPS)
	g, err := clipGraph(c.Src, c.Fit, pre, f)
	if err != nil {
		return nil, "", err
	}
	g = strings.TrimSuffix(g, "[v]") + ",tpad=stop_mode=clone:stop=-1[v]"
	a, err := clipInput(c.Src, srcPath, c.From, max(0.05, c.Src.Out-c.From))
	if err != nil {
		return nil, "", err
	}
	return a, g, nil
}
