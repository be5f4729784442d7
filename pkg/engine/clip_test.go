package engine

import (
	"bytes"
	"context"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/mp4"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/testutil"
)

// colourClip writes a 2 s 320x180 H.264 clip at 30 fps that is red, lime, blue and white for
// half a second each, with a 1 kHz tone when sound is set.
func (k *kit) colourClip(name string, sound bool) string {
	p := filepath.Join(k.dir, name)
	g := "color=c=red:s=320x180:r=30:d=0.5[a];color=c=lime:s=320x180:r=30:d=0.5[b];" +
		"color=c=blue:s=320x180:r=30:d=0.5[c];color=c=white:s=320x180:r=30:d=0.5[d];[a][b][c][d]concat=n=4:v=1:a=0"
	args := []string{"-v", "error", "-f", "lavfi", "-i", g}
	if sound {
		args = append(args, "-f", "lavfi", "-i", "sine=f=1000:r=48000:d=2", "-c:a", "aac", "-ac", "2")
	}
	k.ffmpeg(append(args, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-t", "2", p)...)
	return p
}

// rgbFrames are a video's frames decoded once at 64x48 RGB.
type rgbFrames [][]byte

// smallFrames decodes every frame of a video at 64x48: one ffmpeg for any number of samples.
func (k *kit) smallFrames(path string) rgbFrames {
	k.t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-vf", "scale=64:48:flags=area,format=rgb24",
		"-f", "rawvideo", "-").Output()
	if err != nil {
		k.t.Fatalf("decoding %s: %v", path, err)
	}
	var f rgbFrames
	for len(out) >= 64*48*3 {
		f, out = append(f, out[:64*48*3]), out[64*48*3:]
	}
	return f
}

// at is the colour of frame n at (x, y) given as parts of the width and height.
func (f rgbFrames) at(n int64, x, y float64) [3]int {
	if n >= int64(len(f)) {
		return [3]int{-1000, -1000, -1000}
	}
	i := (int(y*47)*64 + int(x*63)) * 3
	return [3]int{int(f[n][i]), int(f[n][i+1]), int(f[n][i+2])}
}

// joinable checks that a plan's cached segments, clips' among the pictures', join by a copy
// of their samples (the same parameter sets): else the engine falls back to ffmpeg's concat.
func (k *kit) joinable(plan *render.Plan) {
	k.t.Helper()
	paths, lens := make([]string, len(plan.Segments)), make([]int64, len(plan.Segments))
	for i, sg := range plan.Segments {
		paths[i], lens[i] = k.eng.SegmentPath(sg.Key), sg.Frames
	}
	if err := mp4.Join(io.Discard, paths, lens, plan.FPS, ""); err != nil {
		k.t.Errorf("the segments cannot be joined by a copy: %v", err)
	}
}

// clipSlide adds a clip file as a slide; Width/Height are its upright size.
func (s *slideshow) clipSlide(path string, c render.Clip, sl simvid.Slide) string {
	if s.in.Clips == nil {
		s.in.Clips = map[string]render.Clip{}
	}
	id := simvid.NewID(simvid.PrefixImage)
	if c.SHA256 == "" {
		c.SHA256 = "clip-" + filepath.Base(path)
	}
	if c.Format == "" {
		c.Format = "mp4"
	}
	if c.FPS == 0 {
		c.FPS = 30
	}
	s.in.Clips[id] = c
	s.job.ImagePaths[id] = path
	sl.Asset = id
	s.in.Spec.Slides = append(s.in.Spec.Slides, sl)
	return id
}

var (
	lime  = [3]int{0, 255, 0}
	white = [3]int{255, 255, 255}
	grey  = [3]int{128, 128, 128}
)

// TestClipFramesAtTheirTimes: a clip between two pictures shows, at every sampled frame, the
// part of the clip that frame's time maps to (in point, speed), holds its last frame when
// the slide outlasts it and is cut when the slide is shorter; the video has the plan's
// length, and a re-render after a picture changes re-encodes no clip.
func TestClipFramesAtTheirTimes(t *testing.T) {
	k := newKit(t)
	pic := k.picture("p.png", "color=c=gray:s=320x240")
	clip := k.colourClip("c.mp4", false)
	info := render.Clip{Width: 320, Height: 180, CodedW: 320, CodedH: 180, Duration: 2}

	s := k.show("640x480", "draft")
	s.slide(pic, 1, "", 1)
	s.clipSlide(clip, info, simvid.Slide{In: 0.5})                      // 1.5 s: lime, blue, white
	s.clipSlide(clip, info, simvid.Slide{Speed: 2})                     // 1 s: each colour for 0.25 s
	s.clipSlide(clip, info, simvid.Slide{In: 1.5, Duration: 1.5})       // white for 0.5 s, then held
	s.clipSlide(clip, info, simvid.Slide{In: 0, Out: 2, Duration: 0.5}) // cut: red only
	s.slide(pic, 1, "", 1)
	s.in.Spec.Transition = simvid.TransitionSpec{Name: "none"}
	plan := s.plan()
	if plan.Frames != 30*(1+1.5+1+1.5+0.5+1) {
		t.Fatalf("%d frames, want 195", plan.Frames)
	}
	s.run(context.Background())
	checkVideo(t, k, s.job.Output, plan, false)
	// Frame 30 is the clip slide's first; it shows clip second 0.5 + n/30.
	cases := []struct {
		frame int64
		want  [3]int
	}{
		{15, grey}, {31, lime}, {44, lime}, {46, blue}, {59, blue}, {61, white}, {74, white},
		// speed 2 from frame 75: clip second 2*(n-75)/30
		{76, red}, {81, red}, {84, lime}, {89, lime}, {91, blue}, {96, blue}, {99, white}, {104, white},
		// in 1.5 for 1.5 s from frame 105: white for 15 frames, then white held
		{106, white}, {118, white}, {130, white}, {149, white},
		// cut to 0.5 s from frame 150: red
		{151, red}, {164, red},
		{166, grey},
	}
	frames := k.smallFrames(s.job.Output)
	for _, c := range cases {
		if got := frames.at(c.frame, 0.5, 0.5); !near(got, c.want, 40) {
			t.Errorf("frame %d: %v, want %v", c.frame, got, c.want)
		}
	}
	// Contain on black: the 16:9 clip in 4:3 leaves bars above and below.
	if got := frames.at(40, 0.5, 0.04); !near(got, [3]int{0, 0, 0}, 20) {
		t.Errorf("bar above the clip: %v", got)
	}

	k.joinable(plan)

	// Another picture last: the clips' segments come from the cache.
	segs := func(p *render.Plan) map[string]bool {
		m := map[string]bool{}
		for _, sg := range p.Segments {
			if sg.Kind == render.KindClip {
				m[sg.Key] = true
			}
		}
		return m
	}
	before := segs(plan)
	s.in.Spec.Slides[5].Asset = s.slide(k.picture("q.png", "color=c=yellow:s=320x240"), 1, "", 1)
	s.in.Spec.Slides = s.in.Spec.Slides[:6]
	s.name = "again"
	plan2 := s.plan()
	after := segs(plan2)
	if len(before) != 4 || len(after) != 4 {
		t.Fatalf("clip segments: %d before, %d after", len(before), len(after))
	}
	for key := range after {
		if !before[key] {
			t.Errorf("a clip segment's key changed with a picture: %s", key)
		}
	}
	res, _ := s.run(context.Background())
	if res.Cached < 4 {
		t.Errorf("%d segments from the cache, want at least the 4 clips'", res.Cached)
	}
}

// TestClipRotatedUpright: a clip stored landscape with rotation metadata (rotate=90 written
// by ffmpeg 5.1, which ffprobe reports as a display matrix rotation of 90, counter-clockwise)
// comes out upright exactly as ffmpeg's own autorotation shows it. ClipInfo.Rotation is the
// turn clockwise that makes it upright: 270 here (a phone's portrait clip, whose matrix says
// -90, is 90).
func TestClipRotatedUpright(t *testing.T) {
	k := newKit(t)
	stored := filepath.Join(k.dir, "stored.mp4")
	k.ffmpeg("-v", "error", "-f", "lavfi", "-i", "color=c=red:s=160x180:r=30:d=1[l];color=c=blue:s=160x180:r=30:d=1[r];[l][r]hstack",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", stored)
	rotated := filepath.Join(k.dir, "rotated.mp4")
	k.ffmpeg("-v", "error", "-i", stored, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated)
	// ffmpeg's autorotation: the reference for "upright".
	top, bottom := k.rgb(rotated, 0, 90, 20), k.rgb(rotated, 0, 90, 300)
	if !near(top, blue, 40) || !near(bottom, red, 40) {
		t.Fatalf("ffmpeg shows the rotated clip with %v on top and %v below; the test expects blue over red", top, bottom)
	}
	for _, c := range []struct {
		rotation    int
		top, bottom [3]int
	}{{270, blue, red}, {90, red, blue}} {
		s := k.show("480x640", "draft")
		s.name = "rot" + strconv.Itoa(c.rotation)
		s.clipSlide(rotated, render.Clip{Width: 180, Height: 320, CodedW: 320, CodedH: 180, Duration: 1, Rotation: c.rotation}, simvid.Slide{})
		plan := s.plan()
		s.run(context.Background())
		checkVideo(t, k, s.job.Output, plan, false)
		// Upright 180x320 contained in 480x640: 360x640 in the middle.
		if got := k.rgb(s.job.Output, 10, 240, 100); !near(got, c.top, 40) {
			t.Errorf("rotation %d: top of the clip %v, want %v", c.rotation, got, c.top)
		}
		if got := k.rgb(s.job.Output, 10, 240, 540); !near(got, c.bottom, 40) {
			t.Errorf("rotation %d: bottom of the clip %v, want %v", c.rotation, got, c.bottom)
		}
		if got := k.rgb(s.job.Output, 10, 20, 320); !near(got, [3]int{0, 0, 0}, 20) {
			t.Errorf("rotation %d: left of the clip %v, want the black background", c.rotation, got)
		}
	}
}

// TestClipHLGToSDR: a 10-bit HEVC HLG clip is tone-mapped to SDR: a mid-grey stays mid-grey.
func TestClipHLGToSDR(t *testing.T) {
	k := newKit(t)
	if out, _ := exec.Command("ffmpeg", "-hide_banner", "-filters").Output(); !strings.Contains(string(out), " zscale ") {
		testutil.Missing(t, "this ffmpeg has no zscale filter (Debian's has, through libzimg)")
	}
	hlg := filepath.Join(k.dir, "hlg.mp4")
	k.ffmpeg("-v", "error", "-f", "lavfi", "-i", "color=c=0x808080:s=320x180:r=30:d=1", "-c:v", "libx265",
		"-x265-params", "log-level=error", "-pix_fmt", "yuv420p10le", "-color_trc", "arib-std-b67",
		"-color_primaries", "bt2020", "-colorspace", "bt2020nc", "-tag:v", "hvc1", hlg)
	s := k.show("640x480", "draft")
	s.slide(k.picture("p.png", "color=c=gray:s=320x240"), 1, "", 1)
	s.clipSlide(hlg, render.Clip{Width: 320, Height: 180, CodedW: 320, CodedH: 180, Duration: 1, HDR: "hlg"}, simvid.Slide{})
	s.in.Spec.Transition = simvid.TransitionSpec{Name: "none"}
	plan := s.plan()
	s.run(context.Background())
	checkVideo(t, k, s.job.Output, plan, false)
	k.joinable(plan) // the tone map's BT.709 tags are not in the clip's SPS
	got := k.rgb(s.job.Output, 40, 320, 240)
	if !near(got, grey, 12) {
		t.Errorf("mid-grey came out as %v", got)
	}
	// The segment's frames went through the tone map: 8-bit BT.709 out of 10-bit BT.2020.
	for _, sg := range plan.Segments {
		if sg.Kind != render.KindClip {
			continue
		}
		a, err := render.ClipSegmentArgs(sg, hlg, "x.mp4", plan.Encoder, render.Files{})
		if err != nil || !strings.Contains(strings.Join(a, " "), "tonemap=hable") {
			t.Errorf("clip segment args %q (%v) do not tone-map", a, err)
		}
	}
}

// bandVolume is the mean volume in dB of a file's audio between from and to seconds within
// a narrow band around f Hz: one of two tones mixed together.
func (k *kit) bandVolume(path string, f, from, to float64) float64 {
	k.t.Helper()
	s := func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
	out := k.ffmpeg("-i", path, "-vn", "-af", "atrim="+s(from)+":"+s(to)+",bandpass=f="+s(f)+":width_type=q:w=8,bandpass=f="+s(f)+":width_type=q:w=8,volumedetect", "-f", "null", "-")
	m := meanVolRE.FindStringSubmatch(out)
	if m == nil {
		k.t.Fatalf("no volume in:\n%s", out)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return -200
	}
	return v
}

// TestClipSoundDucksMusic: the clip's own sound plays at its place, and the music (a 440 Hz
// tone) drops by music.duck_db while it does and comes back after; without music the clip's
// sound is still there, and a muted clip has none.
func TestClipSoundDucksMusic(t *testing.T) {
	k := newKit(t)
	pic := k.picture("p.png", "color=c=gray:s=320x240")
	clip := k.colourClip("c.mp4", true)
	info := render.Clip{Width: 320, Height: 180, CodedW: 320, CodedH: 180, Duration: 2, HasAudio: true}

	s := k.show("640x480", "draft")
	s.slide(pic, 1.5, "", 1)
	s.clipSlide(clip, info, simvid.Slide{In: 0.25, Out: 1.75}) // 1.5 .. 3.0 s
	s.slide(pic, 1.5, "", 1)
	s.in.Spec.Transition = simvid.TransitionSpec{Name: "none"}
	none := 0.0
	s.withMusic(k.music("m.flac", 10), 10, "loop", &none)
	s.in.Spec.Music.DuckDB = nil // the default, -12 dB
	plan := s.plan()
	s.run(context.Background())
	checkVideo(t, k, s.job.Output, plan, true)
	out := s.job.Output
	musicBefore, musicDuring, musicAfter := k.bandVolume(out, 440, 0.2, 1.1), k.bandVolume(out, 440, 1.9, 2.6), k.bandVolume(out, 440, 3.4, 4.3)
	clipBefore, clipDuring := k.bandVolume(out, 1000, 0.2, 1.1), k.bandVolume(out, 1000, 1.9, 2.6)
	t.Logf("music %.1f / %.1f / %.1f dB, clip %.1f / %.1f dB", musicBefore, musicDuring, musicAfter, clipBefore, clipDuring)
	if d := musicDuring - musicBefore; math.Abs(d-(-12)) > 1.5 {
		t.Errorf("the music under the clip is %.1f dB from before it, want -12", d)
	}
	if math.Abs(musicAfter-musicBefore) > 1 {
		t.Errorf("the music after the clip is %.1f dB, before %.1f dB", musicAfter, musicBefore)
	}
	if clipDuring < -30 || clipBefore > clipDuring-30 {
		t.Errorf("the clip's sound: %.1f dB before its slide, %.1f dB during", clipBefore, clipDuring)
	}

	// No music: the clip's sound alone, silence around it.
	q := k.show("640x480", "draft")
	q.name = "nomusic"
	q.slide(pic, 1.5, "", 1)
	q.clipSlide(clip, info, simvid.Slide{In: 0.25, Out: 1.75})
	q.slide(pic, 1.5, "", 1)
	q.in.Spec.Transition = simvid.TransitionSpec{Name: "none"}
	plan = q.plan()
	if plan.Audio == nil {
		t.Fatal("a show with a clip's sound and no music plans no audio")
	}
	q.run(context.Background())
	checkVideo(t, k, q.job.Output, plan, true)
	if v := k.meanVolume(q.job.Output, 1.9, 2.6); v < -30 {
		t.Errorf("no clip sound without music: %.1f dB", v)
	}
	if v := k.meanVolume(q.job.Output, 0.2, 1.2); v > -80 {
		t.Errorf("sound before the clip: %.1f dB", v)
	}

	// Muted: no audio at all.
	q.in.Spec.Slides[1].Mute = true
	if p := q.plan(); p.Audio != nil {
		t.Errorf("a muted clip and no music plan audio: %+v", p.Audio)
	}
}

// Under a clip's sound the music stays in pieces (issue 21): after a change of the photo after
// the clip (its duration) the track is made again from the pieces cached by the first
// render, all but those at the new end, in one run; and a piece under the clip's sound is the
// same bytes whatever run makes it (here each piece alone, from its own first sample).
func TestClipSoundMusicStaysInPieces(t *testing.T) {
	k := newKit(t)
	pic := k.picture("p.png", "color=c=gray:s=320x240")
	clip := k.colourClip("c.mp4", true)
	info := render.Clip{Width: 320, Height: 180, CodedW: 320, CodedH: 180, Duration: 2, HasAudio: true}
	music := k.music("m.flac", 30)
	show := func(last float64) (*render.AudioPlan, context.Context) {
		s := k.show("640x480", "draft")
		s.slide(pic, 5, "", 1)
		s.clipSlide(clip, info, simvid.Slide{In: 0.25, Out: 1.75}) // its sound at 5-6.5 s
		s.slide(pic, last, "", 1)
		s.in.Spec.Transition = simvid.TransitionSpec{Name: "none"}
		s.withMusic(music, 30, "trim", nil)
		return s.plan().Audio, WithSources(context.Background(), s.job.ImagePaths)
	}
	musicRuns := func() int64 {
		for _, u := range k.ff.Usage().Snapshot() {
			if u.Kind == ffmpeg.KindMusicPieces {
				return u.Runs
			}
		}
		return 0
	}
	missing := func(a *render.AudioPlan) (pieces int, packets int64) {
		for _, p := range a.Pieces {
			if _, err := os.Stat(k.eng.AudioPiecePath(p.Key)); err != nil {
				pieces, packets = pieces+1, packets+p.Take
			}
		}
		return pieces, packets
	}

	first, ctx := show(8) // 14.5 s
	if _, err := k.eng.PrepareAudio(ctx, first, music, 1); err != nil {
		t.Fatal(err)
	}
	edited, ctx := show(6) // the last photo 2 s shorter
	var packets int64
	for _, p := range edited.Pieces {
		packets += p.Take
	}
	runs := musicRuns()
	made, madePackets := missing(edited)
	track, err := k.eng.PrepareAudio(ctx, edited, music, 1)
	if err != nil {
		t.Fatal(err)
	}
	// 12.5 s: pieces of 2, 4, 4 and 2.5 s; the last is the fade-out's.
	if len(edited.Pieces) != 4 || made != 1 || madePackets*4 > packets || musicRuns()-runs != 1 {
		t.Errorf("the photo's change made %d of the %d pieces (%d of the track's %d packets) in %d runs, want the end's 1 in 1",
			made, len(edited.Pieces), madePackets, packets, musicRuns()-runs)
	}
	if d := k.duration(track); math.Abs(d-12.5) > 0.03 {
		t.Errorf("the edited track lasts %.3f s, want 12.5", d)
	}

	// Every piece made again, each by a run of its own.
	want := map[string][]byte{}
	for _, p := range first.Pieces {
		b, err := os.ReadFile(k.eng.AudioPiecePath(p.Key))
		if err != nil {
			t.Fatal(err)
		}
		want[p.Key] = b
		if err := os.Remove(k.eng.AudioPiecePath(p.Key)); err != nil {
			t.Fatal(err)
		}
	}
	first, ctx = show(8)
	first.Key += "-again" // not the track already joined
	if _, err := k.eng.PrepareAudio(ctx, first, music, len(first.Pieces)); err != nil {
		t.Fatal(err)
	}
	for i, p := range first.Pieces {
		if b, _ := os.ReadFile(k.eng.AudioPiecePath(p.Key)); !bytes.Equal(b, want[p.Key]) {
			t.Errorf("piece %d (samples %d-%d) made alone differs from the one made in one run with the others", i, p.From, p.To)
		}
	}
}
