package ffmpeg

import "strings"

// explanations map fragments of ffmpeg's stderr to words for people. The first match wins,
// so the more specific fragments come first.
var explanations = []struct{ fragment, message string }{
	{"No space left on device", "the server ran out of disk space"},
	{"Cannot allocate memory", "the server ran out of memory"},
	{"moov atom not found", "the file is incomplete or not a valid media file"},
	{"Invalid data found when processing input", "the file is damaged or not in a format it claims to be"},
	{"does not contain any stream", "the file contains no picture or sound"},
	{"Output file #0 does not contain any stream", "nothing was produced from the input"},
	{"Decoder (codec", "the file uses a format this server cannot decode"},
	{"could not find codec parameters", "the file could not be read as media"},
	{"Unknown encoder", "this server's ffmpeg lacks a required encoder"},
	{"Error while decoding", "the file is damaged and could not be decoded"},
	// The decoder gave up silently (a picture cut short): the input ended with no frame.
	{"Cannot determine format of input stream", "the file is damaged: nothing in it could be decoded"},
	{"Invalid argument", "an internal setting was refused by ffmpeg"},
	{"No such file or directory", "an input file is missing on the server"},
	{"Permission denied", "the server could not read or write a file"},
	{"Conversion failed", "the conversion failed"},
}

// Explain turns ffmpeg's stderr into a sentence a person understands.
func Explain(stderr string) string {
	for _, e := range explanations {
		if strings.Contains(stderr, e.fragment) {
			return e.message
		}
	}
	if strings.TrimSpace(stderr) == "" {
		return "ffmpeg stopped without saying why"
	}
	return "ffmpeg could not process the media"
}
