package ffargs

// errDetect is, per sniffed picture format, what its decoder is told to treat as an error
// when a picture is checked (CheckedPictureInput). ffmpeg's decoders conceal damage by
// default: a JPEG cut in half decodes with its missing part grey, a PNG whose checksums fail
// or whose IEND chunk is missing decodes all the same. explode turns what a decoder detects
// into an error; PNG also checks its chunks' CRCs and, strict, wants its IEND. TIFF keeps its
// defaults: told to explode, its decoder refuses a tag it does not know, and ffmpeg's own
// TIFFs carry one (ResolutionUnit); a cut TIFF fails without it. GIF, WebP and BMP fail on
// what they detect either way, explode or not; it is set so that they would if they learn more.
var errDetect = map[string][]string{
	"jpeg": {"-err_detect", "explode"},
	"png":  {"-err_detect", "crccheck+explode", "-strict", "strict"},
	"gif":  {"-err_detect", "explode"},
	"webp": {"-err_detect", "explode"},
	"bmp":  {"-err_detect", "explode"},
}

// CheckedPictureInput is PictureInputLowres for the decode that is also the check that an
// upload is whole: every decoder error ends the run (-xerror) instead of being concealed, and
// each decoder is as strict as it can be without refusing good pictures (errDetect). Run it
// with ffmpeg's RunWarnings and ask ffmpeg.Concealed about what it says.
func CheckedPictureInput(format, path string, k int) []string {
	a := append([]string{"-xerror"}, errDetect[format]...)
	return append(a, PictureInputLowres(format, path, k)...)
}
