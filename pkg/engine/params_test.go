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
		made := map[render.Making]int{}
		kinds := map[string]bool{}
		for _, sg := range p.Segments {
			ps := parameterSets(t, k.eng.SegmentPath(sg.Key))
			kinds[sg.Kind] = true
			tb, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=time_base",
				"-of", "csv=p=0", k.eng.SegmentPath(sg.Key)).Output()
			if err != nil {
				t.Fatal(err)
			}
			if m := sg.Making(p.Encoder); m != render.Encoded {
				made[m]++
				assertBitstream(t, k.eng.SegmentPath(sg.Key), sg.Frames, m)
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
		// Holds repeat their first frame at every quality; fades dissolve where x264 writes
		// B-frames with implicit weights (not ultrafast, draft's preset).
		if made[render.Repeated] == 0 || (made[render.Dissolved] == 0) != (quality == "draft") {
			t.Fatalf("%s: segments made in the bitstream: %v", quality, made)
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

// assertBitstream checks that a segment was made in the bitstream: its encoded frames (a
// hold's first, a fade's first and last) are followed by packets of a few bytes each (slices
// of skipped macroblocks), and the count is right.
func assertBitstream(t *testing.T, mp4 string, frames int64, m render.Making) {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=size",
		"-of", "csv=p=0", mp4).Output()
	if err != nil {
		t.Fatal(err)
	}
	sizes := strings.Fields(string(out))
	if int64(len(sizes)) != frames {
		t.Fatalf("segment %s has %d packets, want %d", mp4, len(sizes), frames)
	}
	encoded := 1
	if m == render.Dissolved {
		encoded = 2 // in decoding order: the first frame, the last, then the frames between
	}
	for i, sz := range sizes[encoded:] {
		if n, _ := strconv.Atoi(sz); n > 64 {
			t.Fatalf("packet %d of %s is %d bytes: encoded, not made in the bitstream", i+encoded, mp4, n)
		}
	}
}
