package engine

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestClipDecodedOnce: a clip between two pictures with fades on both sides is decoded by one
// ffmpeg (its segment's, which also writes the stills the fades show), and the fades meet
// the clip's frames: the fade in ends on the run's first frame and the fade out starts on
// the frame after its last (colours that change exactly at the cuts tell a frame early or
// late). A segment cached with its stills gone makes them alone, with the same bytes; a
// cached still is not written again by a run.
func TestClipDecodedOnce(t *testing.T) {
	k := newKit(t)
	bin, runs := testutil.LoggingFFmpeg(t)
	log := zaptest.NewLogger(t)
	k.ff = ffmpeg.New(bin, "", log)
	k.eng = New(k.ff, filepath.Join(k.dir, "cache"), filepath.Join(k.dir, "tmp"), log)
	pic := k.picture("p.png", "color=c=gray:s=320x240")
	// 2 s at 30 fps: red for frames 0-7, lime for 8-44, white from 45.
	clip := filepath.Join(k.dir, "cuts.mp4")
	k.ffmpeg("-v", "error", "-f", "lavfi", "-i", "color=c=red:s=320x180:r=30:d=2,"+
		"drawbox=c=lime:t=fill:enable='between(n,8,44)',drawbox=c=white:t=fill:enable='gte(n,45)'",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-t", "2", clip)

	s := k.show("640x480", "draft")
	s.slide(pic, 1, "", 1)
	s.clipSlide(clip, render.Clip{Width: 320, Height: 180, CodedW: 320, CodedH: 180, Duration: 2}, simvid.Slide{Out: 52.0 / 30})
	s.slide(pic, 1, "", 1)
	s.in.Spec.Transition = simvid.TransitionSpec{Name: "fade", Duration: 0.5}
	plan := s.plan()
	sl := plan.Slides[1]
	if sl.In != 8 || sl.Out != 7 || sl.Frames != 52 {
		t.Fatalf("the clip slide: %d frames, %d and %d to its fades; the test needs 52, 8 and 7", sl.Frames, sl.In, sl.Out)
	}
	decodes := func() (n int, lines []string) {
		for _, l := range runs() {
			if strings.Contains(l, clip) {
				n++
				lines = append(lines, l)
			}
		}
		return n, lines
	}
	s.run(context.Background())
	checkVideo(t, k, s.job.Output, plan, false)
	if n, lines := decodes(); n != 1 {
		t.Errorf("the clip was decoded by %d ffmpeg runs, want 1:\n%s", n, strings.Join(lines, "\n"))
	}

	frames := k.smallFrames(s.job.Output)
	cut := func(f int64) [3]int { return frames.at(f, 0.5, 0.5) }
	in, out := sl.Start+sl.In, sl.Start+sl.Frames-sl.Out // the clip's first frame; the fade out's first
	for _, c := range []struct {
		name  string
		frame int64
		want  [3]int
	}{
		{"the fade in's last frame", in - 1, lime}, {"the clip's first frame", in, lime},
		{"the clip's last frame", out - 1, lime}, {"the fade out's first frame", out, white},
	} {
		if got := cut(c.frame); !near(got, c.want, 40) {
			t.Errorf("%s (%d): %v, want %v", c.name, c.frame, got, c.want)
		}
	}

	// The stills gone from the cache, the segment not: each is made alone, the same bytes.
	first, last := k.eng.StillPath(plan.Stills[sl.Still].Key), k.eng.StillPath(plan.Stills[sl.OutStill].Key)
	made := map[string][]byte{}
	for _, p := range []string{first, last} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		made[p] = b
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	s.name = "stills-gone"
	s.plan()
	s.run(context.Background())
	for p, b := range made {
		if again, err := os.ReadFile(p); err != nil || !bytes.Equal(again, b) {
			t.Errorf("a still made alone differs from the run's (%d bytes, was %d; %v)", len(again), len(b), err)
		}
	}
	if n, _ := decodes(); n != 3 {
		t.Errorf("%d decodes of the clip after two stills went missing, want 1+2", n)
	}

	// The segment gone, the stills not: the run writes no still.
	var clipSeg render.Segment
	for _, sg := range plan.Segments {
		if sg.Kind == render.KindClip {
			clipSeg = sg
		}
	}
	if err := os.Remove(k.eng.SegmentPath(clipSeg.Key)); err != nil {
		t.Fatal(err)
	}
	s.name = "segment-gone"
	s.plan()
	s.run(context.Background())
	n, lines := decodes()
	if n != 4 || strings.Contains(lines[3], "yuv4mpegpipe") {
		t.Errorf("%d decodes; the last, for the segment alone: %s", n, lines[n-1])
	}
}
