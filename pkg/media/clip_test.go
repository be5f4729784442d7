package media

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

// clipLimits are testLimits with the clip limits of the defaults.
var clipLimits = func() Limits {
	l := testLimits
	l.ClipBytes, l.ClipSeconds, l.ClipPixels, l.ClipFPS = 256<<20, 300, 40_000_000, 120
	return l
}()

// testClip is a 320x180 test pattern of secs seconds at 30 fps with a sine tone; extra
// options (codec, container) come before the output.
func (f *fixture) testClip(t *testing.T, name, secs string, extra ...string) string {
	t.Helper()
	args := []string{"-f", "lavfi", "-i", "testsrc=s=320x180:r=30:d=" + secs, "-f", "lavfi", "-i", "sine=d=" + secs}
	return f.gen(t, name, append(args, extra...)...)
}

// redBlueClip is a 2 s clip whose left half is red and right half blue, for orientation.
func (f *fixture) redBlueClip(t *testing.T, name string) string {
	t.Helper()
	return f.gen(t, name, "-f", "lavfi", "-i", "color=red:s=160x180:r=30:d=2", "-f", "lavfi", "-i", "color=blue:s=160x180:r=30:d=2",
		"-filter_complex", "[0][1]hstack", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-t", "2")
}

// clipFiles fails unless the clip's original, poster and filmstrip are in place, and returns
// the poster and filmstrip paths.
func (f *fixture) clipFiles(t *testing.T, a *simvid.Asset) (poster, strip string) {
	t.Helper()
	orig, _ := f.st.Original(f.pid, a.ID)
	poster, _ = f.st.Thumbnail(f.pid, a.ID)
	strip, _ = f.st.Filmstrip(f.pid, a.ID)
	for _, p := range []string{orig, poster, strip} {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Fatalf("%s missing: %v", p, err)
		}
	}
	return poster, strip
}

// TestClipCodecsAndContainers takes in each codec and container phones and cameras write and
// checks what the probe found, the poster (the thumbnail, upright size) and the filmstrip.
func TestClipCodecsAndContainers(t *testing.T) {
	f := newFixture(t, clipLimits)
	x264 := []string{"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"}
	cases := []struct {
		name, file, format, codec string
		audio                     bool
		args                      []string
	}{
		{"h264 mp4", "a.mp4", "mp4", "h264", true, append(x264, "-c:a", "aac")},
		{"h264 mov", "a.mov", "mov", "h264", true, append(x264, "-c:a", "aac")},
		{"h264 m4v", "a.m4v", "mp4", "h264", false, append(x264, "-an", "-f", "ipod")},
		{"h264 3gp", "a.3gp", "3gp", "h264", false, append(x264, "-an")},
		{"hevc 8 bit mkv", "a.mkv", "matroska", "hevc", true, []string{"-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-pix_fmt", "yuv420p", "-c:a", "flac"}},
		{"vp9 webm", "a.webm", "webm", "vp9", true, []string{"-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus"}},
		{"av1 mp4", "av1.mp4", "mp4", "av1", false, []string{"-c:v", "libaom-av1", "-cpu-used", "8", "-usage", "realtime", "-an"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := f.testClip(t, c.file, "1", c.args...)
			a, err := f.image(t, path, c.file)
			if err != nil {
				t.Fatal(err)
			}
			if a.Kind != simvid.KindClip || a.Format != c.format || a.Codec != c.codec {
				t.Errorf("kind, format, codec = %s %s %s, want clip %s %s", a.Kind, a.Format, a.Codec, c.format, c.codec)
			}
			if a.Width != 320 || a.Height != 180 || a.Duration < 0.9 || a.Duration > 1.2 {
				t.Errorf("size %dx%d, duration %g; want 320x180, about 1 s", a.Width, a.Height, a.Duration)
			}
			ci := a.Clip
			if ci == nil || ci.FPS != 30 || ci.VFR || ci.Rotation != 0 || ci.HasAudio != c.audio || ci.HDR != "" || ci.BitDepth != 8 {
				t.Errorf("clip = %+v, want 30 fps CFR, no rotation, has_audio %v, SDR 8 bit", ci, c.audio)
			}
			poster, strip := f.clipFiles(t, a)
			if b := decodeJPEG(t, poster).Bounds(); b.Dx() != 320 || b.Dy() != 180 {
				t.Errorf("poster %v, want 320x180", b)
			}
			// 10 frames of 64 px high, each 114 px wide (320/180*64, even).
			if b := decodeJPEG(t, strip).Bounds(); b.Dx() != FilmstripFrames*114 || b.Dy() != FilmstripHeight {
				t.Errorf("filmstrip %v, want %dx%d", b, FilmstripFrames*114, FilmstripHeight)
			}
		})
	}
}

// TestClipRotationHDRVFR checks the probe of a portrait phone clip (a display matrix), an
// HLG 10-bit one, a variable frame rate one, non-square pixels and the date it was taken.
func TestClipRotationHDRVFR(t *testing.T) {
	f := newFixture(t, clipLimits)
	t.Run("rotation", func(t *testing.T) {
		src := f.redBlueClip(t, "lr.mp4")
		// ffmpeg 5.1 writes the display matrix only when stream copying. Its rotate=90 is a
		// matrix that ffmpeg itself turns upright 270° clockwise (red left, blue right ->
		// blue on top).
		rot := f.gen(t, "rot.mp4", "-i", src, "-c", "copy", "-metadata:s:v:0", "rotate=90",
			"-metadata", "creation_time=2024-05-01T10:11:12.000000Z")
		a, err := f.image(t, rot, "portrait.mp4")
		if err != nil {
			t.Fatal(err)
		}
		if a.Clip.Rotation != 270 || a.Width != 180 || a.Height != 320 || a.Clip.CodedWidth != 320 || a.Clip.CodedHeight != 180 {
			t.Errorf("rotation %d, size %dx%d (coded %dx%d); want 270, 180x320 (coded 320x180)",
				a.Clip.Rotation, a.Width, a.Height, a.Clip.CodedWidth, a.Clip.CodedHeight)
		}
		if want := time.Date(2024, 5, 1, 10, 11, 12, 0, time.UTC); a.TakenAt == nil || !a.TakenAt.Equal(want) {
			t.Errorf("taken_at = %v, want %v", a.TakenAt, want)
		}
		poster, _ := f.clipFiles(t, a)
		img := decodeJPEG(t, poster)
		if b := img.Bounds(); b.Dx() != 180 || b.Dy() != 320 {
			t.Fatalf("poster %v, want upright 180x320", b)
		}
		if top, bottom := colourAt(img, 0.5, 0.2), colourAt(img, 0.5, 0.8); top != "blue" || bottom != "red" {
			t.Errorf("poster top %s, bottom %s; want blue over red (as ffmpeg turns it)", top, bottom)
		}
	})
	t.Run("hlg 10 bit", func(t *testing.T) {
		path := f.testClip(t, "hlg.mp4", "1", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
			"-pix_fmt", "yuv420p10le", "-color_trc", "arib-std-b67", "-color_primaries", "bt2020", "-colorspace", "bt2020nc", "-an")
		a, err := f.image(t, path, "hlg.mp4")
		if err != nil {
			t.Fatal(err)
		}
		if a.Codec != "hevc" || a.Clip.HDR != "hlg" || a.Clip.BitDepth != 10 || a.Clip.HasAudio {
			t.Errorf("codec %s, clip %+v; want hevc, hlg, 10 bit, no audio", a.Codec, a.Clip)
		}
		f.clipFiles(t, a)
	})
	t.Run("pq", func(t *testing.T) {
		path := f.testClip(t, "pq.mkv", "1", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
			"-pix_fmt", "yuv420p10le", "-color_trc", "smpte2084", "-color_primaries", "bt2020", "-colorspace", "bt2020nc", "-an")
		a, err := f.image(t, path, "pq.mkv")
		if err != nil {
			t.Fatal(err)
		}
		if a.Clip.HDR != "pq" || a.Clip.BitDepth != 10 {
			t.Errorf("clip %+v; want pq, 10 bit", a.Clip)
		}
	})
	t.Run("vfr", func(t *testing.T) {
		// Frames 1/30 s apart for the first second, then 1/10 s apart.
		path := f.gen(t, "vfr.mp4", "-f", "lavfi", "-i", "testsrc=s=320x180:r=30:d=2",
			"-vf", "setpts='if(lt(N,30),N/30,1+(N-30)/10)/TB'", "-fps_mode", "passthrough",
			"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
		a, err := f.image(t, path, "vfr.mp4")
		if err != nil {
			t.Fatal(err)
		}
		if !a.Clip.VFR || a.Clip.FPS >= 30 || a.Clip.Frames != 60 {
			t.Errorf("clip %+v; want VFR, average under 30 fps, 60 frames", a.Clip)
		}
		f.clipFiles(t, a)
	})
	t.Run("non-square pixels", func(t *testing.T) {
		path := f.testClip(t, "sar.mp4", "1", "-vf", "setsar=4/3", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-an")
		a, err := f.image(t, path, "anamorphic.mp4")
		if err != nil {
			t.Fatal(err)
		}
		if a.Width != 426 || a.Height != 180 {
			t.Errorf("display size %dx%d, want 426x180", a.Width, a.Height)
		}
		poster, _ := f.clipFiles(t, a)
		if b := decodeJPEG(t, poster).Bounds(); b.Dx() != 400 || b.Dy() != 169 {
			t.Errorf("poster %v, want 400x169 (the display aspect)", b)
		}
	})
}

// TestClipRefused refuses each kind of bad clip with its status and a message naming the file,
// and leaves nothing on disk.
func TestClipRefused(t *testing.T) {
	f := newFixture(t, clipLimits)
	good := f.testClip(t, "good.mp4", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "15", "-c:a", "aac")
	faststart := f.testClip(t, "fast.mp4", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "15",
		"-c:a", "aac", "-movflags", "+faststart")
	cut := func(src, name string) string {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		p := f.dir + "/" + name
		if err := os.WriteFile(p, b[:len(b)/2], 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name, path, code string
		parts            []string
		lim              func(*Limits)
	}{
		{"truncated, index at the end", cut(good, "cut.mp4"), simvid.EUnprocessable,
			[]string{"cut.mp4", "could not be read as a video", "incomplete"}, nil},
		{"truncated, index first", cut(faststart, "cutfast.mp4"), simvid.EUnprocessable,
			[]string{"cutfast.mp4", "could not be decoded", "ends early"}, nil},
		{"audio only", f.gen(t, "song.m4a.mp4", "-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", "-f", "mp4"), simvid.EUnprocessable,
			[]string{"song.m4a.mp4", "has sound but no pictures", "upload it as music"}, nil},
		{"zero frames", f.gen(t, "empty.mp4", "-f", "lavfi", "-i", "testsrc=s=320x180:r=30:d=1", "-frames:v", "0",
			"-c:v", "libx264", "-pix_fmt", "yuv420p"), simvid.EUnprocessable, []string{"empty.mp4", "no video"}, nil},
		{"six hours", f.gen(t, "long.mp4", "-f", "lavfi", "-i", "color=gray:s=16x16:r=1/10:d=21600",
			"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"), simvid.ETooLarge,
			[]string{"long.mp4", "lasts 6:00:00", "limit for clips is 5:00"}, nil},
		// A 16K clip costs a second of CPU and a gigabyte to make; the same header path is
		// taken by a 320x180 clip under a lower limit: -max_pixels stops ffprobe's decoder.
		{"too many pixels", good, simvid.ETooLarge, []string{"good.mp4", "320×180", "limit for clips is"},
			func(l *Limits) { l.ClipPixels = 50_000 }},
		{"too many frames a second", good, simvid.ETooLarge, []string{"good.mp4", "30 frames a second", "limit for clips is 25"},
			func(l *Limits) { l.ClipFPS = 25 }},
		{"too large", good, simvid.ETooLarge, []string{"good.mp4", "limit for video clips"},
			func(l *Limits) { l.FileBytes, l.ClipBytes = 1000, 2000 }},
		{"not a codec we take", f.testClip(t, "old.mkv", "1", "-c:v", "mpeg2video", "-an"), simvid.EUnsupported,
			[]string{"old.mkv", "MPEG2VIDEO", "convert it"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := f
			if c.lim != nil {
				l := clipLimits
				c.lim(&l)
				g = newFixture(t, l)
				g.pid = f.pid
			}
			start := time.Now()
			_, err := g.image(t, c.path, c.path[strings.LastIndex(c.path, "/")+1:])
			wantCode(t, err, c.code, c.parts...)
			dirEmpty(t, g.st.Root())
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("refusal took %v", d)
			}
		})
	}
}

// TestClipNotByPictureLink: a picture's link (ImageInto) takes pictures only; a clip behind
// one is refused as before, and nothing is kept.
func TestClipNotByPictureLink(t *testing.T) {
	f := newFixture(t, clipLimits)
	path := f.testClip(t, "v.mp4", "1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-an")
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixImage), ProjectID: f.pid, Kind: simvid.KindImage, OriginalName: "v.mp4"}
	wantCode(t, f.in.ImageInto(context.Background(), a, fh, nil), simvid.EUnsupported, "v.mp4 is not a picture (it looks like an MP4 video)")
	if a.Kind != simvid.KindImage || a.Clip != nil {
		t.Errorf("the asset became %s %+v", a.Kind, a.Clip)
	}
	dirEmpty(t, f.st.Root())
}
