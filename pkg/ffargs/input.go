package ffargs

import (
	"fmt"
	"strings"
)

// demuxers maps a sniffed format (pkg/media's names) to the one ffmpeg demuxer that reads it.
// Each of them reads that single file and opens nothing else (mov's external data references
// stay off, its default). Left to itself ffmpeg picks the demuxer from the content: an ID3
// tag followed by an HLS playlist is read as HLS, and the playlist's file: entries are opened.
// Playlists (hls), concat lists, image2 sequences and every other demuxer that opens more
// files are in no entry, so nothing uploaded is ever read by them.
var demuxers = map[string]string{
	"jpeg": "jpeg_pipe", "png": "png_pipe", "gif": "gif", "webp": "webp_pipe", "bmp": "bmp_pipe", "tiff": "tiff_pipe",
	"mp3": "mp3", "aac": "aac", "wav": "wav", "ogg": "ogg", "flac": "flac",
	"m4a": "mov", "mp4": "mov", "mov": "mov", "3gp": "mov",
	"webm": "matroska", "matroska": "matroska",
}

// pictureDemuxers are the demuxers a picture of unknown format may be read with: the
// pictures intake takes, and only those. image2 is what ffmpeg picks for a path with a
// picture's extension; it reads the one file named unless the name holds a pattern (% or
// glob characters), and the paths it is given here are the server's own.
const pictureDemuxers = "jpeg_pipe,png_pipe,gif,webp_pipe,bmp_pipe,tiff_pipe,image2"

// Demuxer names the demuxer for a sniffed format, "" when there is none.
func Demuxer(format string) string { return demuxers[format] }

// Input returns the options that open path, user data sniffed as format: its own demuxer
// (Demuxer) and the file protocol only. A format without a demuxer is an error: such a file
// is never handed to ffmpeg.
func Input(format, path string) ([]string, error) {
	d := demuxers[format]
	if d == "" {
		return nil, fmt.Errorf("ffmpeg: no demuxer for format %q", format)
	}
	return []string{"-protocol_whitelist", "file", "-f", d, "-i", fileURL(path)}, nil
}

// pictureInput is the demuxer and protocol part of a picture's input: Input's when the format
// is known, else a choice among the picture demuxers alone (an asset recorded before its
// format was).
func pictureInput(format string) []string {
	if d := demuxers[format]; d != "" {
		return []string{"-protocol_whitelist", "file", "-f", d}
	}
	return []string{"-protocol_whitelist", "file", "-format_whitelist", pictureDemuxers}
}

// fileURL keeps ffmpeg from reading a path with a colon as a protocol.
func fileURL(p string) string {
	if strings.HasPrefix(p, "file:") {
		return p
	}
	return "file:" + p
}
