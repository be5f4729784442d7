package cmd

import (
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/testutil"
)

// TestRenderCommandBeatSync renders 12 pictures of one colour each with --beat-sync over a
// click track (100 BPM, the first click at 0.43 s) played from 1.3 s into it, and finds the
// cuts in the decoded video by the jump in brightness between frames: every cut, and the end
// of the video, is within one frame of a click. The beats come from the tracker on the
// decoded music, as with any upload; nothing here reads the plan.
func TestRenderCommandBeatSync(t *testing.T) {
	testutil.Need(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	var pics []string
	for i := range 12 {
		g := 20 + 18*i // each picture brighter than the one before
		pics = append(pics, testutil.Image(t, dir, fmt.Sprintf("p%02d.png", i), 160, 90, fmt.Sprintf("0x%02x%02x%02x", g, g, min(g+10, 255))))
	}
	song := testutil.ClickTrack("clicks", 100, 0.43, 24)
	music := testutil.WriteSong(t, dir, song)
	const start, fps = 1.3, 25
	outFile := filepath.Join(dir, "out.mp4")
	args := append([]string{"render"}, pics...)
	args = append(args, "--audio", music, "--audio-start", fmt.Sprint(start), "--beat-sync", "--duration", "1",
		"--transition", "none", "--fit", "cover", "--quality", "draft", "--resolution", "640x480",
		"--fps", fmt.Sprint(fps), "-o", outFile)
	out, err := run(t, args...)
	if err != nil {
		t.Fatalf("render: %v\n%s", err, out)
	}
	if strings.Contains(out, "beat_sync") {
		t.Fatalf("the render fell back: %s", out)
	}
	var clicks []float64 // on the video's timeline
	for _, b := range song.Beats {
		if b >= start {
			clicks = append(clicks, b-start)
		}
	}
	luma := meanLuma(t, outFile)
	var cuts []float64
	for f := 1; f < len(luma); f++ {
		if luma[f]-luma[f-1] > 5 {
			cuts = append(cuts, float64(f)/fps) // the first frame of the next picture
		}
	}
	cuts = append(cuts, float64(len(luma))/fps) // the end
	if len(cuts) != 12 {
		t.Fatalf("found %d cuts and the end, want 11 and the end: %v", len(cuts)-1, cuts)
	}
	for i, c := range cuts {
		near := math.Inf(1)
		for _, b := range clicks {
			near = min(near, math.Abs(b-c))
		}
		if near > 1.0/fps+1e-9 {
			t.Errorf("cut %d at %.3f s is %.0f ms from the nearest click", i+1, c, near*1000)
		}
	}
	t.Logf("cuts %v", cuts)
}

// meanLuma decodes a video at 16x12 grey and returns each frame's mean brightness.
func meanLuma(t *testing.T, video string) []float64 {
	t.Helper()
	raw, err := exec.Command("ffmpeg", "-v", "error", "-i", video, "-vf", "scale=16:12,format=gray",
		"-f", "rawvideo", "-").Output()
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	var out []float64
	for i := 0; i+192 <= len(raw); i += 192 {
		var s float64
		for _, v := range raw[i : i+192] {
			s += float64(v)
		}
		out = append(out, s/192)
	}
	return out
}
