package engine

import (
	"bytes"
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/render"
)

// Holds are their first frame encoded and then repeated in the bitstream, transitions are
// encoded whole with the still-picture tuning: their sequence and picture parameter sets must
// still be byte for byte the same, and their MP4 time bases equal, or the stream copy that
// joins them would be wrong.
func TestHoldsAndTransitionsShareParameterSets(t *testing.T) {
	for _, quality := range []string{"draft", "standard", "high"} {
		k := newKit(t)
		s := k.show("640x480", quality)
		s.slide(k.picture("a.png", "color=c=red:s=320x240"), 1, "", 1)
		s.slide(k.picture("b.png", "testsrc=s=320x240"), 1, "", 1)
		p := s.plan()
		s.run(context.Background())
		var want []byte
		var wantTB string
		kinds := map[string]bool{}
		for _, sg := range p.Segments {
			ps := parameterSets(t, k.eng.SegmentPath(sg.Key))
			kinds[sg.Kind] = true
			tb, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=time_base",
				"-of", "csv=p=0", k.eng.SegmentPath(sg.Key)).Output()
			if err != nil {
				t.Fatal(err)
			}
			if sg.Repeats() {
				assertRepeated(t, k.eng.SegmentPath(sg.Key), sg.Frames)
			}
			if wantTB == "" {
				wantTB = string(tb)
			} else if string(tb) != wantTB {
				t.Fatalf("%s: %s segment's time base %q differs from %q", quality, sg.Kind, tb, wantTB)
			}
			if want == nil {
				want = ps
			} else if !bytes.Equal(ps, want) {
				t.Fatalf("%s: %s segment's SPS/PPS %x differ from %x", quality, sg.Kind, ps, want)
			}
		}
		if !kinds[render.KindHold] || !kinds[render.KindTransition] {
			t.Fatalf("plan lacks a hold or a transition: %v", kinds)
		}
	}
}

// parameterSets returns the SPS and PPS NAL units of an MP4's H.264 stream.
func parameterSets(t *testing.T, mp4 string) []byte {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", mp4, "-c", "copy", "-bsf:v", "h264_mp4toannexb",
		"-frames:v", "1", "-f", "h264", "-").Output()
	if err != nil {
		t.Fatalf("extract stream of %s: %v", mp4, err)
	}
	var ps []byte
	for _, nal := range bytes.Split(out, []byte{0, 0, 1}) {
		nal = bytes.TrimRight(nal, "\x00")
		if len(nal) > 0 && (nal[0]&31 == 7 || nal[0]&31 == 8) {
			ps = append(ps, nal...)
		}
	}
	if len(ps) == 0 {
		t.Fatalf("no SPS/PPS in %s", mp4)
	}
	return ps
}

// assertRepeated checks that a hold is its first frame and frames-1 repeats of it: every
// packet after the first is a few bytes (a slice of skipped macroblocks), and the count is right.
func assertRepeated(t *testing.T, mp4 string, frames int64) {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=size",
		"-of", "csv=p=0", mp4).Output()
	if err != nil {
		t.Fatal(err)
	}
	sizes := strings.Fields(string(out))
	if int64(len(sizes)) != frames {
		t.Fatalf("hold %s has %d packets, want %d", mp4, len(sizes), frames)
	}
	for i, sz := range sizes[1:] {
		if n, _ := strconv.Atoi(sz); n > 64 {
			t.Fatalf("hold packet %d is %d bytes: encoded, not repeated", i+1, n)
		}
	}
}
