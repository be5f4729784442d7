package h264

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/simvid/simvid/pkg/testutil"
)

// SplitKeyframes cuts a stream with forced IDRs into streams that each decode alone to their
// own pictures (a keyframe and the P picture after it, or a keyframe alone), and refuses a
// count other than the one asked for.
func TestSplitKeyframes(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	dir := t.TempDir()
	all := filepath.Join(dir, "all.h264")
	ffmpeg(t, "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=160x90:r=30", "-frames:v", "5", "-c:v", "libx264",
		"-preset", "veryfast", "-x264-params", "rc-lookahead=0:mbtree=0:b-adapt=0:scenecut=0", "-pix_fmt", "yuv420p",
		"-force_key_frames", "0,0.05,0.1", "-f", "h264", all)
	b, err := os.ReadFile(all)
	if err != nil {
		t.Fatal(err)
	}
	whole := frameSums(t, all)
	parts, err := SplitKeyframes(b, 3)
	if err != nil {
		t.Fatal(err)
	}
	var sums []string
	for i, p := range parts {
		path := filepath.Join(dir, "part.h264")
		if err := os.WriteFile(path, p, 0o644); err != nil {
			t.Fatal(err)
		}
		if msg := testutil.DecodeErrors(t, path); msg != "" {
			t.Fatalf("part %d alone: %s", i, msg)
		}
		sums = append(sums, frameSums(t, path)...)
	}
	if len(sums) != len(whole) {
		t.Fatalf("the parts decode to %d frames, the stream to %d", len(sums), len(whole))
	}
	for i := range sums {
		if sums[i] != whole[i] {
			t.Errorf("frame %d of the parts differs from the stream's", i)
		}
	}
	if _, err := SplitKeyframes(b, 2); err == nil {
		t.Error("no error for 3 keyframes where 2 were expected")
	}
	if _, err := SplitKeyframes(b[4:], 3); err == nil {
		t.Error("no error for a stream that does not start with its SPS")
	}
}
