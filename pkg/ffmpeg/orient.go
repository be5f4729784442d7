package ffmpeg

// OrientFilter returns the filter chain that turns a picture stored with EXIF orientation o
// (1..8) upright, or "" when it is upright already. Pair it with -noautorotate on the input
// so that ffmpeg's own autorotation (JPEG only) never applies twice; this way every format
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

// Swaps reports whether orientation o swaps width and height.
func Swaps(o int) bool { return o >= 5 && o <= 8 }
