package ffargs

import (
	"slices"
	"strings"
	"testing"
)

// TestInputNamesItsDemuxer: user data is opened with one named demuxer and the file protocol
// only; formats without a demuxer, and every demuxer that opens other files, are refused.
func TestInputNamesItsDemuxer(t *testing.T) {
	t.Parallel()
	a, err := Input("mp3", "/data/tmp/upload-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(a, " "); got != "-protocol_whitelist file -f mp3 -i file:/data/tmp/upload-1" {
		t.Fatalf("args %q", got)
	}
	for _, f := range []string{"", "hls", "m3u8", "concat", "image2", "svg", "psd", "heic", "text"} {
		if _, err := Input(f, "/x"); err == nil {
			t.Errorf("format %q has a demuxer", f)
		}
	}
	for f, d := range demuxers {
		if slices.Contains([]string{"hls", "applehttp", "concat", "image2", "dash", "tee", "data"}, d) {
			t.Errorf("%s is read by %s, which opens other files", f, d)
		}
	}
	got := strings.Join(PictureInputLowres("jpeg", "/p", 2), " ")
	if got != "-lowres 2 -protocol_whitelist file -f jpeg_pipe -threads 1 -nofind_stream_info -noautorotate -i file:/p" {
		t.Fatalf("picture input %q", got)
	}
	if got := strings.Join(PictureInput("", "/p"), " "); !strings.Contains(got, "-format_whitelist "+pictureDemuxers) {
		t.Fatalf("unknown picture format: %q", got)
	}
	if got := strings.Join(CheckedPictureInput("png", "/p", 0), " "); !strings.HasPrefix(got, "-xerror -err_detect crccheck+explode -strict strict -protocol_whitelist file -f png_pipe") {
		t.Fatalf("checked input %q", got)
	}
}
