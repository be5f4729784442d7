package media

import (
	"testing"
	"unicode/utf8"
)

// FuzzSniff feeds arbitrary first bytes to the sniffer: it must never panic, must give the
// same answer twice, and its answer must be consistent (a picture format intake takes is of
// the picture kind; anything named has a description for people; descriptions are text).
func FuzzSniff(f *testing.F) {
	for _, seed := range []string{
		"", "\xFF\xD8\xFF\xE0", "\x89PNG\r\n\x1a\n", "GIF89a", "RIFF\x00\x00\x00\x00WEBP",
		"RIFF\x00\x00\x00\x00WAVE", "BM" + string(make([]byte, 30)), "II*\x00", "MM\x00*",
		"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "\x00\x00\x00\x08ftyp",
		"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00avif", "\xFF\xFF\xFF\xFFftypM4A ",
		"\x1A\x45\xDF\xA3webm", "ID3\x04\x00#EXTM3U\n", "fLaC", "OggS", "FORM\x00\x00\x00\x00AIFF",
		"\xFF\xF1", "\xFF\xFB", "%PDF-1.7", "PK\x03\x04", "<svg onload=x>", "\xEF\xBB\xBF<!DOCTYPE html>",
		"<?xml version='1.0'?><svg/>", "{\\rtf1", "plain text\n", "caf\xC3", "\xFF\xD8\xFFPK\x03\x04<html>",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 512 {
			data = data[:512] // intake sniffs at most 512 bytes
		}
		a, b := sniff(data), sniff(data)
		if a != b {
			t.Fatalf("sniff is not deterministic: %+v then %+v", a, b)
		}
		if acceptedImage[a.format] && a.kind != sniffImage {
			t.Fatalf("%q: accepted picture format %q of kind %q", data, a.format, a.kind)
		}
		if a.format != "" && a.what == "" {
			t.Fatalf("%q: format %q without a description", data, a.format)
		}
		if !utf8.ValidString(a.what) {
			t.Fatalf("description %q is not UTF-8", a.what)
		}
		switch a.kind {
		case sniffImage, sniffAudio, sniffAV, sniffOther:
		default:
			t.Fatalf("unknown kind %q", a.kind)
		}
	})
}
