package ffargs

// The video's one colour standard is BT.709 with limited range, tagged so on every segment
// (render.Encoder). ffmpeg 5.1's swscale converts between RGB and YUV with BT.601 unless
// told otherwise, and draws colours (pad, color, drawtext) into YUV with BT.601 whatever the
// frame says: so pictures are fitted, filled and captioned in RGB (WorkRGB) and converted to
// the video's YUV once, with ToBT709; what reads a still back to RGB reads it with
// FromBT709.

// WorkRGB is the format a picture is fitted, padded, blurred and captioned in: planar RGB,
// in which a colour named in RGB is drawn as it is. The scale before it converts from the
// decoded picture's own YUV (its matrix and range as the decoder tags them: a JPEG's full
// range BT.601) or RGB.
const WorkRGB = "format=gbrp"

// ToBT709 converts RGB frames to the video's YUV: 4:2:0, BT.709 matrix, limited range.
const ToBT709 = "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p"

// FromBT709 is the scale options that read the video's YUV (a still: YUV4MPEG carries no
// matrix) as what it is, for a JPEG or RGB made from it: a JPEG's YUV is BT.601, full range.
const FromBT709 = "in_color_matrix=bt709:in_range=tv:out_color_matrix=bt601:out_range=pc"

// ClipToBT709 is the scale options that take a clip's SDR frames from their own matrix (as
// ClipMatrix names it; their range as the frames say) to the video's YUV.
func ClipToBT709(colorSpace string, codedW, codedH int) string {
	return "in_color_matrix=" + ClipMatrix(colorSpace, codedW, codedH) + ":out_color_matrix=bt709:out_range=tv"
}

// ClipMatrix is swscale's name of the YUV matrix of a clip's SDR frames: the one its stream
// names (ffprobe's color_space), else by its stored size, as players guess: BT.709 from
// 1280x720 up, BT.601 below.
func ClipMatrix(colorSpace string, codedW, codedH int) string {
	switch colorSpace {
	case "bt709":
		return "bt709"
	case "bt470bg", "smpte170m":
		return "bt601"
	case "bt2020nc", "bt2020c":
		return "bt2020"
	case "smpte240m", "fcc":
		return colorSpace
	}
	if codedW >= 1280 || codedH >= 720 {
		return "bt709"
	}
	return "bt601"
}

// ToneMap takes HLG ("hlg") or PQ ("pq") BT.2020 frames in limited range to SDR in the
// video's YUV (yuv420p, BT.709, limited range, tagged so by zscale): to linear light with 100
// nits as SDR white, to BT.709 primaries, Hable's curve with no desaturation, and BT.709's
// transfer and matrix. "" for any other hdr.
// The input's transfer is named rather than read from the frame, so that a scale before it
// cannot lose it.
func ToneMap(hdr string) string {
	var tin string
	switch hdr {
	case "hlg":
		tin = "arib-std-b67"
	case "pq":
		tin = "smpte2084"
	default:
		return ""
	}
	return "zscale=tin=" + tin + ":pin=bt2020:min=bt2020nc:rin=tv:t=linear:npl=100,format=gbrpf32le," +
		"zscale=p=bt709,tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,format=yuv420p"
}
