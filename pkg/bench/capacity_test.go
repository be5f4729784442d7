//go:build bench

package bench

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBenchCapacity measures what one worker core renders: the reference slideshow (12
// pictures, 36 s of video, fades, music) made cold by `simvid render --concurrency 1
// --threads 1` at each quality and size. It counts CPU seconds of the whole process tree
// (simvid and every ffmpeg it ran), which stays close to the truth on a busy machine where
// wall time would not, and prints renders per hour per core.
func TestBenchCapacity(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Minute)
	defer cancel()
	_, _, bin, pics, music := setup(ctx, t)
	work := t.TempDir()
	say := sayer(t)
	say("capacity: reference slideshow (12 pictures, 36 s video, 0.5 s fades, music), cold, one core")
	say(fmt.Sprintf("%-9s %-10s %9s %9s %12s %14s", "quality", "size", "cpu s", "wall s", "video s/cpu s", "renders/h/core"))
	for _, size := range []struct{ name, res string }{{"720p", "1280x720"}, {"1080p", "1920x1080"}} {
		for _, q := range []string{"draft", "standard", "high"} {
			out := filepath.Join(work, q+"-"+size.name+".mp4")
			args := append(append([]string{"render"}, pics...), "--audio", music, "--resolution", size.res,
				"--duration", "3", "--transition", "fade", "--transition-duration", "0.5", "--quality", q,
				"--concurrency", "1", "--threads", "1", "-o", out)
			cmd := exec.CommandContext(ctx, bin, args...)
			start := time.Now()
			b, err := cmd.CombinedOutput()
			wall := time.Since(start).Seconds()
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", q, size.name, err, b)
			}
			// wait4's rusage includes the children simvid waited for: every ffmpeg.
			cpu := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
			v := probeVideo(ctx, t, out)
			w, h, _ := strings.Cut(size.res, "x")
			if v.Frames != benchFrames || fmt.Sprint(v.Width) != w || fmt.Sprint(v.Height) != h || !v.Audio {
				t.Errorf("%s %s: video is %s", q, size.name, v)
			}
			say(fmt.Sprintf("%-9s %-10s %9.1f %9.1f %12.2f %14.0f", q, size.name, cpu, wall,
				float64(benchFrames)/30/cpu, 3600/cpu))
		}
	}
}
