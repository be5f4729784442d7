package media

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"
)

// Sniffed kinds.
const (
	sniffImage = "image" // a picture format
	sniffAudio = "audio" // a sound-only format
	sniffAV    = "av"    // a container that may hold sound (MP4, WebM, Matroska)
	sniffOther = ""      // documents, archives, text, unknown
)

// sniffed is what the first bytes of a file say it is.
type sniffed struct {
	format string // jpeg, png, ... heic, avif; mp3, aac, wav, ogg, flac, mp4, webm; "" otherwise
	kind   string
	what   string // for people: "a JPEG picture", "plain text"; "" when unknown
}

// acceptedImage lists the picture formats intake takes.
var acceptedImage = map[string]bool{"jpeg": true, "png": true, "gif": true, "webp": true, "bmp": true, "tiff": true}

// sniff reads magic bytes; head is the start of the file (512 bytes or all of a shorter one).
func sniff(head []byte) sniffed {
	has := func(off int, magic string) bool {
		return len(head) >= off+len(magic) && string(head[off:off+len(magic)]) == magic
	}
	switch {
	case has(0, "\xFF\xD8\xFF"):
		return sniffed{"jpeg", sniffImage, "a JPEG picture"}
	case has(0, "\x89PNG\r\n\x1a\n"):
		return sniffed{"png", sniffImage, "a PNG picture"}
	case has(0, "GIF87a"), has(0, "GIF89a"):
		return sniffed{"gif", sniffImage, "a GIF picture"}
	case has(0, "RIFF") && has(8, "WEBP"):
		return sniffed{"webp", sniffImage, "a WebP picture"}
	case has(0, "RIFF") && has(8, "WAVE"):
		return sniffed{"wav", sniffAudio, "a WAV sound file"}
	case has(0, "RIFF") && has(8, "AVI "):
		return sniffed{"avi", sniffOther, "an AVI video"}
	case has(0, "BM") && len(head) >= 26 && binary.LittleEndian.Uint32(head[6:]) == 0: // reserved words
		return sniffed{"bmp", sniffImage, "a BMP picture"}
	case has(0, "II*\x00"), has(0, "MM\x00*"):
		return sniffed{"tiff", sniffImage, "a TIFF picture"}
	case has(4, "ftyp"):
		return sniffFtyp(head)
	case has(0, "\x1A\x45\xDF\xA3"):
		if bytes.Contains(head[:min(len(head), 64)], []byte("webm")) {
			return sniffed{"webm", sniffAV, "a WebM file"}
		}
		return sniffed{"matroska", sniffAV, "a Matroska (MKV) file"}
	case has(0, "ID3"):
		return sniffed{"mp3", sniffAudio, "an MP3 sound file"}
	case has(0, "fLaC"):
		return sniffed{"flac", sniffAudio, "a FLAC sound file"}
	case has(0, "OggS"):
		return sniffed{"ogg", sniffAudio, "an Ogg sound file"}
	case has(0, "FORM") && (has(8, "AIFF") || has(8, "AIFC")):
		return sniffed{"aiff", sniffOther, "an AIFF sound file"}
	case has(0, "MThd"):
		return sniffed{"midi", sniffOther, "a MIDI file"}
	case len(head) >= 2 && head[0] == 0xFF && head[1]&0xF6 == 0xF0: // ADTS: sync, layer 00
		return sniffed{"aac", sniffAudio, "an AAC sound file"}
	case len(head) >= 2 && head[0] == 0xFF && head[1]&0xE0 == 0xE0 && head[1]&0x06 != 0:
		return sniffed{"mp3", sniffAudio, "an MP3 sound file"} // MPEG audio frame sync
	case has(0, "%PDF-"):
		return sniffed{"", sniffOther, "a PDF document"}
	case has(0, "PK\x03\x04"), has(0, "PK\x05\x06"):
		return sniffed{"", sniffOther, "a zip archive (or an Office document)"}
	case has(0, "\x1F\x8B"):
		return sniffed{"", sniffOther, "a gzip archive"}
	case has(0, "7z\xBC\xAF\x27\x1C"):
		return sniffed{"", sniffOther, "a 7-Zip archive"}
	case has(0, "Rar!"):
		return sniffed{"", sniffOther, "a RAR archive"}
	case has(0, "MZ"):
		return sniffed{"", sniffOther, "a Windows program"}
	case has(0, "\x7FELF"):
		return sniffed{"", sniffOther, "a program"}
	case has(0, "8BPS"):
		return sniffed{"psd", sniffOther, "a Photoshop document"}
	case has(0, "\x00\x00\x01\x00"):
		return sniffed{"ico", sniffOther, "an icon file"}
	}
	return sniffText(head)
}

// sniffFtyp reads an ISO base media file's brands: HEIF and AVIF pictures, M4A music and
// MP4/QuickTime/3GP video all start with an ftyp box.
func sniffFtyp(head []byte) sniffed {
	size := int(binary.BigEndian.Uint32(head))
	if size < 16 || size > len(head) {
		size = len(head)
	}
	major := string(head[8:min(12, len(head))])
	brands := []string{major}
	for off := 16; off+4 <= size; off += 4 {
		brands = append(brands, string(head[off:off+4]))
	}
	hasBrand := func(names ...string) bool {
		for _, b := range brands {
			for _, n := range names {
				if b == n {
					return true
				}
			}
		}
		return false
	}
	switch {
	case major == "avif" || major == "avis":
		return sniffed{"avif", sniffImage, "an AVIF picture"}
	case major == "heic" || major == "heix" || major == "heim" || major == "heis" || major == "hevc" || major == "hevx":
		return sniffed{"heic", sniffImage, "a HEIC picture"}
	case major == "mif1" || major == "msf1":
		if hasBrand("avif", "avis") {
			return sniffed{"avif", sniffImage, "an AVIF picture"}
		}
		if hasBrand("heic", "heix", "hevc", "hevx") {
			return sniffed{"heic", sniffImage, "a HEIC picture"}
		}
		return sniffed{"heif", sniffImage, "a HEIF picture"}
	case major == "M4A " || major == "M4B " || major == "M4P ":
		return sniffed{"m4a", sniffAV, "an M4A sound file"}
	case major == "qt  ":
		return sniffed{"mov", sniffAV, "a QuickTime video"}
	case len(major) == 4 && (major[:3] == "3gp" || major[:3] == "3g2"):
		return sniffed{"3gp", sniffAV, "a 3GP video"}
	}
	return sniffed{"mp4", sniffAV, "an MP4 video"}
}

// sniffText names text-like content; anything else is unknown.
func sniffText(head []byte) sniffed {
	if len(head) == 0 {
		return sniffed{"", sniffOther, "an empty file"}
	}
	t := bytes.TrimLeft(head, "\xEF\xBB\xBF \t\r\n")
	lower := bytes.ToLower(t[:min(len(t), 256)])
	switch {
	case bytes.HasPrefix(lower, []byte("<svg")), bytes.HasPrefix(lower, []byte("<?xml")) && bytes.Contains(lower, []byte("<svg")):
		return sniffed{"svg", sniffOther, "an SVG drawing"}
	case bytes.HasPrefix(lower, []byte("<!doctype html")), bytes.HasPrefix(lower, []byte("<html")):
		return sniffed{"", sniffOther, "a web page"}
	case bytes.HasPrefix(lower, []byte("<?xml")):
		return sniffed{"", sniffOther, "an XML document"}
	case bytes.HasPrefix(lower, []byte("{\\rtf")):
		return sniffed{"", sniffOther, "a rich text document"}
	}
	if isText(head) {
		return sniffed{"", sniffOther, "plain text"}
	}
	return sniffed{"", sniffOther, ""}
}

// isText reports whether head is UTF-8 without control characters other than whitespace.
// A rune cut at the end of head is allowed.
func isText(head []byte) bool {
	for i := 0; i < len(head); {
		r, n := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && n == 1 {
			return len(head)-i < utf8.UTFMax && !utf8.FullRune(head[i:])
		}
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' && r != '\f' || r == 0x7F {
			return false
		}
		i += n
	}
	return true
}
