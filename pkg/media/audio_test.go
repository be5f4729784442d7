package media

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

// song makes a 2-second 440 Hz tone in the given format (ffmpeg picks the muxer by name).
func (f *fixture) song(t *testing.T, name string, extra ...string) string {
	t.Helper()
	args := append([]string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=2"}, extra...)
	return f.gen(t, name, args...)
}

func TestAudioFormats(t *testing.T) {
	f := newFixture(t, testLimits)
	cases := []struct{ file, format, codec string }{
		{"a.mp3", "mp3", "mp3"}, {"a.m4a", "m4a", "aac"}, {"a.aac", "aac", "aac"}, {"a.wav", "wav", "pcm_s16le"},
		{"a.ogg", "ogg", "vorbis"}, {"a.opus", "ogg", "opus"}, {"a.flac", "flac", "flac"}, {"a.webm", "webm", "opus"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			a, err := f.audio(t, f.song(t, c.file), c.file)
			if err != nil {
				t.Fatal(err)
			}
			if !simvid.ValidID(simvid.PrefixAudio, a.ID) || a.Kind != simvid.KindAudio || a.State != simvid.AssetProcessing ||
				a.Format != c.format || a.Codec != c.codec || math.Abs(a.Duration-2) > 0.1 || a.OriginalName != c.file {
				t.Fatalf("asset = %+v", a)
			}
		})
	}
	dirEmpty(t, f.st.TmpDir())
}

func TestAudioWithCoverArtAndPrepare(t *testing.T) {
	f := newFixture(t, testLimits)
	cover := f.gen(t, "cover.jpg", "-f", "lavfi", "-i", "color=red:s=64x64", "-frames:v", "1")
	src := f.song(t, "song.mp3", "-i", cover, "-map", "0:a", "-map", "1:v", "-c:a", "libmp3lame",
		"-c:v", "copy", "-disposition:v", "attached_pic", "-id3v2_version", "3")
	a, err := f.audio(t, src, "song.mp3")
	if err != nil {
		t.Fatal(err)
	}
	if a.Format != "mp3" || a.Codec != "mp3" {
		t.Fatalf("asset = %+v", a)
	}
	for range 2 { // a retried job overwrites the same file
		if err := f.in.PrepareAudio(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	if a.State != simvid.AssetReady || len(a.Peaks) != PeakCount {
		t.Fatalf("state %s, %d peaks", a.State, len(a.Peaks))
	}
	for i, p := range a.Peaks {
		if p < 0.1 || p > 0.16 { // lavfi's sine has amplitude 1/8
			t.Fatalf("peak %d = %g", i, p)
		}
	}
	work, _ := f.st.AudioWork(f.pid, a.ID)
	p, err := f.ff.ProbeFile(context.Background(), work, 10*time.Second, false)
	if err != nil {
		t.Fatal(err)
	}
	as := p.Audio()
	if p.Format.FormatName != "flac" || len(p.Streams) != 1 || as.SampleRate != "48000" || as.Channels != 2 {
		t.Fatalf("working copy = %+v", p)
	}
	if d := p.Duration(); math.Abs(d-a.Duration) > 0.05 {
		t.Errorf("working copy lasts %g s, original %g s", d, a.Duration)
	}
	dirEmpty(t, f.st.TmpDir())
}

func TestAudioRefused(t *testing.T) {
	lim := testLimits
	lim.AudioSeconds = 1
	f := newFixture(t, lim)
	_, err := f.audio(t, f.song(t, "long.mp3"), "long.mp3")
	wantCode(t, err, simvid.ETooLarge, "long.mp3 lasts 0:0", "; the limit is 0:01")

	png := f.gen(t, "cover.png", "-f", "lavfi", "-i", "color=red:s=64x64", "-frames:v", "1")
	_, err = f.audio(t, png, "cover.png")
	wantCode(t, err, simvid.EUnsupported, "cover.png is not music (it looks like a PNG picture)")

	silent := f.gen(t, "silent.mp4", "-f", "lavfi", "-i", "testsrc=s=64x48:d=1", "-c:v", "libx264", "-preset", "ultrafast")
	_, err = f.audio(t, silent, "clip.mp4")
	wantCode(t, err, simvid.EUnprocessable, "clip.mp4 has no sound in it")
	dirEmpty(t, f.st.TmpDir())
	dirEmpty(t, f.st.Root()+"/projects")
}
