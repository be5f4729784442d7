package engine

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// TestRunMixedFormats renders every picture format with looped music and checks the file the
// way a player would, then runs the same job again to hit the cache.
func TestRunMixedFormats(t *testing.T) {
	k := newKit(t)
	pics := []struct {
		file, graph string
		rgb         [3]int
	}{
		{"a.jpg", "color=c=0xe02020:s=320x240", [3]int{224, 32, 32}},
		{"b.png", "color=c=0x20e020:s=200x300", [3]int{32, 224, 32}},
		{"c.webp", "color=c=0x2020e0:s=320x240", [3]int{32, 32, 224}},
		{"d.gif", "color=c=0xffff00:s=200x300", [3]int{255, 255, 0}},
		{"e.bmp", "color=c=0x00ffff:s=320x240", [3]int{0, 255, 255}},
		{"f.tiff", "color=c=0xff00ff:s=200x300", [3]int{255, 0, 255}},
	}
	s := k.show("640x480", "standard")
	for _, p := range pics {
		s.slide(k.picture(p.file, p.graph), 1, "contain", 1)
	}
	s.withMusic(k.music("m.flac", 2.5), 2.5, "loop", nil) // shorter than the 6 s video
	plan := s.plan()
	if plan.Frames != 180 || len(plan.Segments) != 11 {
		t.Fatalf("plan: %d frames in %d segments", plan.Frames, len(plan.Segments))
	}
	start := time.Now()
	res, plog := s.run(context.Background())
	first := time.Since(start)
	if res.Frames != 180 || res.Cached != 0 || res.Size <= 0 {
		t.Fatalf("result %+v", res)
	}
	checkVideo(t, k, s.job.Output, plan, true)
	checkProgress(t, plog, plan.Frames)

	for i, p := range pics { // the middle of each slide's hold, the middle of the picture
		n := plan.Slides[i].Start + plan.Slides[i].Frames/2
		if got := k.rgb(s.job.Output, n, 320, 240); !near(got, p.rgb, 24) {
			t.Errorf("slide %d (%s) at frame %d: colour %v, want %v", i+1, p.file, n, got, p.rgb)
		}
	}
	if v := k.meanVolume(s.job.Output, 5, 6); v < -40 {
		t.Errorf("the looped music is silent in the last second: %.1f dB", v)
	}
	if pr, err := k.ff.ProbeFile(context.Background(), s.job.Poster, 5*time.Second, false); err != nil ||
		pr.Image().CodecName != "mjpeg" || pr.Image().Width != 640 || pr.Image().Height != 480 {
		t.Errorf("poster: %+v %v", pr, err)
	}

	firstPoster, _ := os.ReadFile(s.job.Poster)
	_ = os.Remove(s.job.Poster)

	start = time.Now()
	res, _ = s.run(context.Background())
	second := time.Since(start)
	if res.Cached != len(plan.Segments) {
		t.Errorf("second run found %d of %d segments in the cache", res.Cached, len(plan.Segments))
	}
	// The poster comes from the cache the second time: the same JPEG, in the render's place.
	if again, err := os.ReadFile(s.job.Poster); err != nil || !bytes.Equal(again, firstPoster) || len(again) == 0 {
		t.Errorf("second run's poster: %d bytes (%v), the first's %d", len(again), err, len(firstPoster))
	}
	if _, err := os.Stat(k.eng.PosterPath(plan.PosterKey())); err != nil {
		t.Errorf("poster not in the cache: %v", err)
	}
	if second > first/2 {
		t.Errorf("second run took %s, the first %s: the cache did not help", second, first)
	}
	checkVideo(t, k, s.job.Output, plan, true)
}

// checkVideo probes an output: exact frames, shape, codecs, audio length, clean decode.
func checkVideo(t *testing.T, k *kit, path string, plan *render.Plan, audio bool) {
	t.Helper()
	pr, err := k.ff.ProbeFile(context.Background(), path, 20*time.Second, true)
	if err != nil {
		t.Fatal(err)
	}
	v := pr.Video()
	if v == nil || v.CodecName != "h264" || v.PixFmt != "yuv420p" || v.Width != plan.W || v.Height != plan.H {
		t.Fatalf("video stream %+v", v)
	}
	if v.Frames() != plan.Frames {
		t.Errorf("%d frames, want %d", v.Frames(), plan.Frames)
	}
	if d := v.Seconds(); math.Abs(d-plan.Duration) > 0.001 {
		t.Errorf("video lasts %.4f s, want %.4f", d, plan.Duration)
	}
	a := pr.Audio()
	switch {
	case audio && (a == nil || a.CodecName != "aac"):
		t.Errorf("audio stream %+v", a)
	case audio && math.Abs(a.Seconds()-plan.Duration) > 1.0/float64(plan.FPS):
		t.Errorf("audio lasts %.4f s, the video %.4f", a.Seconds(), plan.Duration)
	case !audio && a != nil:
		t.Errorf("unexpected audio %+v", a)
	}
	if msg := k.decodeErrors(path); msg != "" {
		t.Errorf("decoding %s complains:\n%s", path, msg)
	}
}

// checkProgress: stages in order, frames never going down, ending with every frame done.
func checkProgress(t *testing.T, l *progressLog, total int64) {
	t.Helper()
	order := map[string]int{StagePreparing: 0, StageRendering: 1, StageFinalizing: 2}
	var prev Progress
	for i, p := range l.all {
		if p.FramesTotal != total || p.FramesDone < prev.FramesDone || order[p.Stage] < order[prev.Stage] || p.FramesDone > total {
			t.Fatalf("progress %d: %+v after %+v", i, p, prev)
		}
		if i > 0 && p.Stage == prev.Stage && l.at[i].Sub(l.at[i-1]) < reportEvery*3/4 {
			t.Errorf("progress %d came %s after the one before", i, l.at[i].Sub(l.at[i-1]))
		}
		prev = p
	}
	if len(l.all) < 3 || prev.Stage != StageFinalizing || prev.FramesDone != total {
		t.Fatalf("progress ends with %+v after %d reports", prev, len(l.all))
	}
}

// TestRunBadPicture: an undecodable picture fails with a message naming the slide.
func TestRunBadPicture(t *testing.T) {
	k := newKit(t)
	bad := k.dir + "/bad.jpg"
	if err := os.WriteFile(bad, []byte("\xff\xd8\xff\xe0 this is not really a jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := k.show("640x480", "draft")
	s.slide(k.picture("ok.png", "color=c=red:s=64x64"), 1, "", 1)
	id := s.slide(bad, 1, "", 1)
	s.plan()
	_, err := k.eng.Run(context.Background(), s.job, nil)
	var re *ffmpeg.RunError
	if !simvid.IsCode(err, simvid.EUnprocessable) || !errors.As(err, &re) {
		t.Fatalf("error %v", err)
	}
	want := "slide 2 (" + id + ") could not be decoded: "
	if msg := simvid.ErrorMessage(err); len(msg) <= len(want) || msg[:len(want)] != want {
		t.Errorf("message %q", msg)
	}
	if exists(s.job.Output) {
		t.Error("a failed render left an output")
	}
}
