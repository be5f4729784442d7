package cmd

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/simvid/simvid/pkg/testutil"
)

// The two renders, by the CLI with real ffmpeg: 20 pictures of 1.02 s at 25 fps and
// of 1.01 s at 30 fps, no transition, with music. Every cut is at the frame nearest its exact
// time, so the videos last 510 and 606 frames (20.40 and 20.20 s), not 520 and 600 frames
// as when each slide was rounded on its own, and the music lasts as long as the video.
func TestRenderExactLength(t *testing.T) {
	testutil.Need(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	var pics []string
	for i := range 20 {
		pics = append(pics, testutil.Image(t, dir, fmt.Sprintf("p%02d.png", i), 160, 90, fmt.Sprintf("0x%02x%02x80", i*12, 255-i*12)))
	}
	song := testutil.Tone(t, dir, "song.wav", 7) // looped to cover the video
	for _, c := range []struct {
		fps      int
		duration string
		frames   int64
	}{{25, "1.02", 510}, {30, "1.01", 606}} {
		name := fmt.Sprintf("%dfps", c.fps)
		t.Run(name, func(t *testing.T) {
			outFile := filepath.Join(dir, name+".mp4")
			args := append([]string{"render"}, pics...)
			args = append(args, "--audio", song, "--fps", strconv.Itoa(c.fps), "--duration", c.duration,
				"--transition", "none", "--resolution", "640x480", "--quality", "draft", "-o", outFile)
			if out, err := run(t, args...); err != nil {
				t.Fatalf("render: %v\n%s", err, out)
			}
			p := testutil.Probe(t, outFile)
			v, a := p.Video(), p.Audio()
			if v == nil || a == nil {
				t.Fatalf("streams: video %+v audio %+v", v, a)
			}
			want := float64(c.frames) / float64(c.fps)
			if v.Frames() != c.frames || v.RFrameRate != strconv.Itoa(c.fps)+"/1" {
				t.Errorf("%d frames at %s, want %d at %d fps", v.Frames(), v.RFrameRate, c.frames, c.fps)
			}
			if math.Abs(v.Seconds()-want) > 0.001 {
				t.Errorf("video lasts %.4f s, want %.4f", v.Seconds(), want)
			}
			// The track is AAC: 1024-sample packets, its end trimmed by the edit list to the
			// sample; ffprobe's stream duration is within a packet (21 ms) of it.
			if math.Abs(a.Seconds()-want) > 1024.0/48000 {
				t.Errorf("music lasts %.4f s, the video %.4f", a.Seconds(), want)
			}
			if msg := testutil.DecodeErrors(t, outFile); msg != "" {
				t.Errorf("decoding complains:\n%s", msg)
			}
		})
	}
}
