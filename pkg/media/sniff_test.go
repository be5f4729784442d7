package media

import (
	"encoding/binary"
	"hash/crc32"
	"strings"
	"testing"
)

// ftyp builds a minimal ISO-BMFF ftyp box: major brand, minor version 0, compatible brands.
func ftyp(major string, compat ...string) []byte {
	body := major + "\x00\x00\x00\x00" + strings.Join(compat, "")
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(b, "ftyp"...), body...)
}

// pngHeader is a PNG signature and IHDR chunk only: DecodeConfig reads it, a decode fails.
func pngHeader(w, h uint32) []byte {
	data := binary.BigEndian.AppendUint32(nil, w)
	data = binary.BigEndian.AppendUint32(data, h)
	data = append(data, 8, 2, 0, 0, 0) // 8-bit RGB
	chunk := append([]byte("IHDR"), data...)
	out := append([]byte("\x89PNG\r\n\x1a\n"), binary.BigEndian.AppendUint32(nil, uint32(len(data)))...)
	out = append(out, chunk...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(chunk))
}

func TestSniff(t *testing.T) {
	cases := []struct {
		head         string
		format, kind string
		what         string
	}{
		{"\xFF\xD8\xFF\xE1", "jpeg", sniffImage, "a JPEG picture"},
		{string(pngHeader(1, 1)), "png", sniffImage, "a PNG picture"},
		{"GIF89a....", "gif", sniffImage, "a GIF picture"},
		{"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp", sniffImage, "a WebP picture"},
		{"BM\x36\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00", "bmp", sniffImage, "a BMP picture"},
		{"BMW is a car brand, a fine one at that", "", sniffOther, "plain text"},
		{"II*\x00\x08\x00", "tiff", sniffImage, "a TIFF picture"},
		{string(ftyp("heic", "mif1", "heic")), "heic", sniffImage, "a HEIC picture"},
		{string(ftyp("mif1", "mif1", "heic")), "heic", sniffImage, "a HEIC picture"},
		{string(ftyp("avif", "mif1")), "avif", sniffImage, "an AVIF picture"},
		{string(ftyp("M4A ", "M4A ", "isom")), "m4a", sniffAV, "an M4A sound file"},
		{string(ftyp("isom", "isom", "mp41")), "mp4", sniffAV, "an MP4 video"},
		{"ID3\x04\x00", "mp3", sniffAudio, "an MP3 sound file"},
		{"\xFF\xFB\x90\x00", "mp3", sniffAudio, "an MP3 sound file"},
		{"\xFF\xF1\x50\x80", "aac", sniffAudio, "an AAC sound file"},
		{"RIFF\x10\x00\x00\x00WAVEfmt ", "wav", sniffAudio, "a WAV sound file"},
		{"OggS\x00\x02", "ogg", sniffAudio, "an Ogg sound file"},
		{"fLaC\x00", "flac", sniffAudio, "a FLAC sound file"},
		{"\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\x82\x84webm", "webm", sniffAV, "a WebM file"},
		{"%PDF-1.4", "", sniffOther, "a PDF document"},
		{"PK\x03\x04\x14\x00", "", sniffOther, "a zip archive (or an Office document)"},
		{"\xEF\xBB\xBF<!DOCTYPE html><html>", "", sniffOther, "a web page"},
		{"<svg xmlns=", "svg", sniffOther, "an SVG drawing"},
		{"héllo wörld\n", "", sniffOther, "plain text"},
		{"héllo w\xC3", "", sniffOther, "plain text"}, // a rune cut by the 512-byte head
		{"\x00\x01\x02\x03", "", sniffOther, ""},
		{"", "", sniffOther, "an empty file"},
	}
	for _, c := range cases {
		got := sniff([]byte(c.head))
		if got.format != c.format || got.kind != c.kind || got.what != c.what {
			t.Errorf("sniff(%q) = %+v, want {%s %s %s}", c.head, got, c.format, c.kind, c.what)
		}
	}
}

func TestNamesAndNumbers(t *testing.T) {
	long := strings.Repeat("é", 100) + ".jpeg"
	for in, want := range map[string]string{
		`C:\fakepath\photo.jpg`:      "photo.jpg",
		"../../etc/passwd":           "passwd",
		"evil\u202Egpj.exe":          "evilgpj.exe",
		"tab\tand\nnewline.png":      "tabandnewline.png",
		"bad\xffutf8.jpg":            "bad\uFFFDutf8.jpg",
		"  ":                         "upload",
		"a/..":                       "upload",
		long:                         strings.Repeat("é", 56) + "…" + ".jpeg",
		"family 👨\u200d👩\u200d👧.jpg": "family 👨\u200d👩\u200d👧.jpg",
	} {
		if got := DisplayName(in); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := humanBytes(25 << 20); got != "25 MiB" {
		t.Errorf("humanBytes = %q", got)
	}
	if got := humanBytes(3 << 29); got != "1.5 GiB" {
		t.Errorf("humanBytes = %q", got)
	}
	if got := clock(1510); got != "25:10" {
		t.Errorf("clock = %q", got)
	}
	if got := clock(3723); got != "1:02:03" {
		t.Errorf("clock = %q", got)
	}
	if a, b := thumbSize(1000, 500); a != 400 || b != 200 {
		t.Errorf("thumbSize = %dx%d", a, b)
	}
	if a, b := thumbSize(3, 4000); a != 1 || b != 400 {
		t.Errorf("thumbSize = %dx%d", a, b)
	}
}
