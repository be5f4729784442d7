package engine

import (
	"context"
	"testing"
)

// TestRunMusicFits: longer music is cut at the video's end and fades out; shorter music with
// fit "trim" is padded with silence; the video keeps its length either way.
func TestRunMusicFits(t *testing.T) {
	k := newKit(t)
	pic := k.picture("p.png", "color=c=gray:s=320x240")

	long := k.show("640x480", "draft")
	long.name = "long"
	long.slide(pic, 1.5, "", 1)
	long.slide(pic, 1.5, "", 1)
	long.withMusic(k.music("long.flac", 10), 10, "loop", nil) // default fade-out 1.5 s
	plan := long.plan()
	long.run(context.Background())
	checkVideo(t, k, long.job.Output, plan, true)
	checkKinds(t, k)
	mid, end := k.meanVolume(long.job.Output, 0.5, 1.5), k.meanVolume(long.job.Output, 2.7, 3)
	if mid < -30 || end > mid-6 {
		t.Errorf("fade-out: middle %.1f dB, last 0.3 s %.1f dB", mid, end)
	}

	short := k.show("640x480", "draft")
	short.name = "short"
	short.slide(pic, 1.5, "", 1)
	short.slide(pic, 1.5, "", 1)
	none := 0.0
	short.withMusic(k.music("short.flac", 1), 1, "trim", &none)
	plan = short.plan()
	short.run(context.Background())
	checkVideo(t, k, short.job.Output, plan, true)
	if v := k.meanVolume(short.job.Output, 0.2, 0.8); v < -30 {
		t.Errorf("the music is missing at the start: %.1f dB", v)
	}
	if v := k.meanVolume(short.job.Output, 2, 3); v > -80 {
		t.Errorf("after the trimmed music ends there should be silence: %.1f dB", v)
	}
}
