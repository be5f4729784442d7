package engine

import (
	"context"
	"math"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

var integratedRE = regexp.MustCompile(`(?m)^\s+I:\s+(-?[0-9.]+) LUFS`)

// loudness measures a file's integrated loudness with ebur128.
func (k *kit) loudness(path string) float64 {
	k.t.Helper()
	out, _ := exec.Command("ffmpeg", "-hide_banner", "-nostats", "-i", path, "-vn", "-af", "ebur128", "-f", "null", "-").CombinedOutput()
	m := integratedRE.FindAllStringSubmatch(string(out), -1)
	if m == nil {
		k.t.Fatalf("no loudness in:\n%s", out)
	}
	v, _ := strconv.ParseFloat(m[len(m)-1][1], 64)
	return v
}

// TestMusicLoudnessAndStretch: a quiet tone comes out at -16 LUFS within 1 LU when
// normalised; with fit "slides" the slides stretch to the music's length (within a frame),
// keep their proportions, and the default fade-out takes the end to near silence.
func TestMusicLoudnessAndStretch(t *testing.T) {
	k := newKit(t)
	pic := k.picture("p.png", "color=c=gray:s=320x240")
	quiet := k.music("quiet.flac", 6) // a sine at 1/8 full scale: about -21 LUFS

	s := k.show("640x480", "draft")
	s.name = "loud"
	s.slide(pic, 2, "", 1)
	s.slide(pic, 2, "", 1)
	none := 0.0
	s.withMusic(quiet, 6, "trim", &none)
	before := k.loudness(quiet)
	s.in.Spec.Music.Normalize = true
	plan := s.plan()
	s.run(context.Background())
	checkVideo(t, k, s.job.Output, plan, true)
	got := k.loudness(s.job.Output)
	t.Logf("loudness: tone %.1f LUFS, normalised render %.1f LUFS", before, got)
	if math.Abs(got-(-16)) > 1 {
		t.Errorf("normalised loudness %.1f LUFS (the tone was %.1f), want -16 within 1 LU", got, before)
	}

	st := k.show("640x480", "draft")
	st.name = "stretch"
	st.slide(pic, 1, "", 1)
	st.slide(pic, 2, "", 1)
	st.slide(pic, 1, "", 1)
	st.withMusic(k.music("song.flac", 6.01), 6.01, "slides", nil)
	plan = st.plan()
	if want := int64(math.Round(6.01 * 30)); plan.Frames != want {
		t.Errorf("video %d frames, music %d", plan.Frames, want)
	}
	if f := plan.Slides; f[1].Frames < 2*f[0].Frames-1 || f[1].Frames > 2*f[0].Frames+1 || f[0].Frames != f[2].Frames {
		t.Errorf("slide frames %d %d %d, want 1:2:1", f[0].Frames, f[1].Frames, f[2].Frames)
	}
	st.run(context.Background())
	checkVideo(t, k, st.job.Output, plan, true)
	if d := math.Abs(plan.Duration - 6.01); d > 1.0/30 { // checkVideo holds the file to the plan
		t.Errorf("duration %.3f s, music 6.01 s", plan.Duration)
	}
	mid, last := k.meanVolume(st.job.Output, 2, 3), k.meanVolume(st.job.Output, 5.9, 6.0)
	if last > mid-20 {
		t.Errorf("fade-out: middle %.1f dB, last 0.1 s %.1f dB", mid, last)
	}
}
