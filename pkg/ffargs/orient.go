package ffargs

import "strconv"

// OrientFilter returns the filter chain that turns a picture stored with EXIF orientation o
// (1..8) upright, or "" when it is upright already. Pair it with -noautorotate on the input
// (PictureInput) so that ffmpeg's own autorotation (JPEG only) never applies twice; this way every format
// and every decode (stills, thumbnails) turns the same way.
func OrientFilter(o int) string {
	switch o {
	case 2:
		return "hflip"
	case 3:
		return "hflip,vflip"
	case 4:
		return "vflip"
	case 5:
		return "transpose=0" // transpose across the main diagonal
	case 6:
		return "transpose=1" // rotate 90 clockwise
	case 7:
		return "transpose=3" // transverse
	case 8:
		return "transpose=2" // rotate 90 counter-clockwise
	}
	return ""
}

// PictureInput is the input of a command that decodes the picture at path (a path or a
// file: URL), sniffed as format ("jpeg", "png", ...; "" when unknown), once, as stored. It reads
// the picture with its own demuxer and the file protocol only (see Input). -noautorotate
// leaves turning it upright to OrientFilter.
// -nofind_stream_info skips ffmpeg's stream probe, which decodes the whole picture only to learn
// its pixel format before the real decode (a 16-megapixel WebP costs 0.7 CPU seconds more):
// the filter graph is set up from the first decoded frame either way, so what comes out is the
// same bytes. Without the probe ffmpeg selects no stream by itself, so the command maps it: an
// [0:v] filter graph input or -map 0:v:0.
// -threads 1: the decoders of pictures thread by frames (PNG, WebP, TIFF) or not at all, and one
// picture is one frame, so their worker threads decode nothing in parallel; starting them and
// copying the decoder's context to each costs CPU (see PictureGraph). The same bytes.
func PictureInput(format, path string) []string {
	return append(pictureInput(format), "-threads", "1", "-nofind_stream_info", "-noautorotate", "-i", fileURL(path))
}

// PictureGraph is the options that run graph, a filter graph over one decoded picture, on one
// thread. The graph's scales would otherwise each start a slice thread per core, with a
// swscale context of their own and the lines at the slices' edges scaled twice, for one frame:
// picture decodes run beside each other on every core already (intake's turns, simvid render's
// pictures in parallel), so the threads bought no time, only CPU. With PictureInput's one
// decoder thread, the twelve reference pictures' thumbnail-and-still runs took 5.57 CPU s
// instead of 5.92 (least of three interleaved runs each, load average 20); the same bytes.
func PictureGraph(graph string) []string {
	return []string{"-filter_complex_threads", "1", "-filter_complex", graph}
}

// PictureFilter is PictureGraph for a simple filter chain (-vf) over one decoded picture.
func PictureFilter(chain string) []string {
	return []string{"-filter_threads", "1", "-vf", chain}
}

// PictureInputLowres is PictureInput that decodes at 1/2^k of the size (k from Lowres).
func PictureInputLowres(format, path string, k int) []string {
	if k <= 0 {
		return PictureInput(format, path)
	}
	return append([]string{"-lowres", strconv.Itoa(k)}, PictureInput(format, path)...)
}

// Lowres is how many times (0 to 3) a w×h picture in format (as sniffed: "jpeg", "png", ...)
// can be halved by its decoder and still cover needW×needH, in the same orientation as w×h.
// Only ffmpeg's mjpeg decoder can: it then leaves out the finer DCT coefficients. The decoded
// frame is most of what an ffmpeg over a large picture adds to its libraries, and at half size
// it is a quarter: intake of a 4000x3000 4:2:0 photo peaks at 68 MB instead of 81, of a
// 14-megapixel 4:4:4 one at 82 MB instead of 143 (a progressive JPEG keeps every coefficient,
// 6 bytes a pixel, whatever the scale). It costs less CPU too, and the picture scaled down
// from there is 52-57 dB from the one scaled from the full decode (.bench pictures, 1080p).
func Lowres(format string, w, h, needW, needH int) int {
	if format != "jpeg" {
		return 0
	}
	k := 0
	for k < 3 && w>>(k+1) >= needW && h>>(k+1) >= needH {
		k++
	}
	return k
}

// Swaps reports whether orientation o swaps width and height.
func Swaps(o int) bool { return o >= 5 && o <= 8 }
