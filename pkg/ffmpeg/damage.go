package ffmpeg

import "strings"

// Concealed reports damage a decoder worked around without an error, from the stderr of a
// successful RunWarnings over ffargs.CheckedPictureInput: a JPEG without its end marker (cut
// off just before its end, or between the scans of a progressive JPEG, which then decodes
// blurred) is only a warning.
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
