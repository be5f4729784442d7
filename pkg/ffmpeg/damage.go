package ffmpeg

import "strings"

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
// with RunWarnings and ask Concealed about what it says.
func CheckedPictureInput(format, path string, k int) []string {
	a := append([]string{"-xerror"}, errDetect[format]...)
	return append(a, PictureInputLowres(format, path, k)...)
}

// Concealed reports damage a decoder worked around without an error, from the stderr of a
// successful RunWarnings: a JPEG without its end marker (cut off just before its end, or
// between the scans of a progressive JPEG, which then decodes blurred) is only a warning.
func Concealed(stderr string) bool {
	return strings.Contains(stderr, "EOI missing")
}

// endedEarly are the decoders' words for data that stops before the picture does.
var endedEarly = []string{
	"EOI missing",                // JPEG: no end marker
	"overread",                   // JPEG: the scan's data stops early
	"No JPEG data found",         // JPEG: headers and nothing after them
	"bytes left",                 // PNG: the chunks stop before IEND
	"chunk too big",              // PNG: a chunk longer than what is left
	"not enough data",            // BMP
	"IFD offset is greater than", // TIFF: its directory lies past the end
	"Truncated",                  // several decoders
	"Packet too small",           // several decoders
}

// EndsEarly reports whether a failed or concealed decode's stderr says the file stops early,
// as a cut transfer leaves it.
func EndsEarly(stderr string) bool {
	for _, f := range endedEarly {
		if strings.Contains(stderr, f) {
			return true
		}
	}
	return false
}
