package render

import (
	"math"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
)

// withClip makes slide i of in a clip slide of a 4 s 1080p clip (sl gives in, out, speed,
// duration, mute) and returns the clip's asset id.
func withClip(in *Input, i int, c Clip, sl simvid.Slide) string {
	if in.Clips == nil {
		in.Clips = map[string]Clip{}
	}
	if c.SHA256 == "" {
		c = Clip{SHA256: "clipsha", Format: "mp4", Width: 1920, Height: 1080, CodedW: 1920, CodedH: 1080, Duration: 4, FPS: 30, HasAudio: true}
	}
	id := simvid.NewID(simvid.PrefixImage)
	in.Clips[id] = c
	sl.Asset = id
	in.Spec.Slides[i] = sl
	return id
}

func mustPlan(t *testing.T, in Input) *Plan {
	t.Helper()
	p, err := NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func clipSegments(p *Plan) []Segment {
	var out []Segment
	for _, sg := range p.Segments {
		if sg.Kind == KindClip {
			out = append(out, sg)
		}
	}
	return out
}

// TestClipSlideTiming: a clip slide lasts (out-in)/speed, out 0 being the clip's end, unless
// it has a duration; its segment starts in the clip where the transition into it ends;
// Ken Burns never moves it; bad in, out and speed are refused.
func TestClipSlideTiming(t *testing.T) {
	t.Parallel()
	cases := []struct {
		sl     simvid.Slide
		frames int64
	}{
		{simvid.Slide{}, 120},
		{simvid.Slide{In: 1, Out: 3}, 60},
		{simvid.Slide{In: 1, Speed: 2}, 45},
		{simvid.Slide{In: 0.5, Out: 2.5, Speed: 0.5}, 120},
		{simvid.Slide{In: 1, Out: 2, Duration: 2.5}, 75}, // holds the last frame
		{simvid.Slide{Duration: 1}, 30},                  // cut
	}
	for _, c := range cases {
		in := input([]float64{2, 2, 2}, "none", 0)
		in.Spec.Defaults.Motion = "auto"
		withClip(&in, 1, Clip{}, c.sl)
		p := mustPlan(t, in)
		if got := p.Slides[1].Frames; got != c.frames {
			t.Errorf("%+v: %d frames, want %d", c.sl, got, c.frames)
		}
		if p.Slides[1].Move != nil || p.Slides[0].Move == nil {
			t.Errorf("%+v: the clip moves (%v) or the picture does not (%v)", c.sl, p.Slides[1].Move, p.Slides[0].Move)
		}
		segs := clipSegments(p)
		if len(segs) != 1 || segs[0].Frames != c.frames || segs[0].Start != 60 || segs[0].Clip.From != c.sl.In {
			t.Errorf("%+v: clip segments %+v", c.sl, segs)
		}
	}
	for _, bad := range []simvid.Slide{{Speed: 3}, {Speed: 0.25}, {In: 4}, {In: 2, Out: 1}, {In: -1}} {
		in := input([]float64{2, 2}, "none", 0)
		withClip(&in, 1, Clip{}, bad)
		if _, err := NewPlan(in); !simvid.IsCode(err, simvid.EUnprocessable) {
			t.Errorf("%+v: %v, want a 422", bad, err)
		}
	}
}

// TestClipTransitionStills: a transition into a clip shows the frame its segment starts
// with and one out of it the frame where its segment ends, both taken from the clip at the
// times the slide's frames map to; a clip slide that holds its last frame gives the
// transition that frame.
func TestClipTransitionStills(t *testing.T) {
	t.Parallel()
	in := input([]float64{2, 2, 2}, "fade", 0.5)
	withClip(&in, 1, Clip{}, simvid.Slide{In: 1, Out: 3, Speed: 2}) // 1 s
	p := mustPlan(t, in)
	sl := p.Slides[1]
	if sl.In != 8 || sl.Out != 7 {
		t.Fatalf("the clip slide gives %d and %d frames to its transitions", sl.In, sl.Out)
	}
	first, last := p.Stills[sl.Still], p.Stills[sl.OutStill]
	if first.Clip == nil || first.Clip.Last || math.Abs(first.Clip.At-(1+8*2.0/30)) > 1e-9 {
		t.Errorf("first still %+v", first.Clip)
	}
	if last.Clip == nil || !last.Clip.Last || math.Abs(last.Clip.At-(1+(30-7)*2.0/30)) > 1e-9 {
		t.Errorf("last still %+v", last.Clip)
	}
	var trans []Segment
	for _, sg := range p.Segments {
		if sg.Kind == KindTransition {
			trans = append(trans, sg)
		}
	}
	if len(trans) != 2 || trans[0].Stills[1] != first.Key || trans[1].Stills[0] != last.Key {
		t.Errorf("transitions %+v", trans)
	}
	if p.PosterKey() == "" || p.Stills[p.Slides[0].Still].Clip != nil {
		t.Error("the poster is not the first picture")
	}
	segs := clipSegments(p)
	if len(segs) != 1 || segs[0].Frames != 30-8-7 || segs[0].Clip.From != first.Clip.At {
		t.Errorf("clip segment %+v", segs)
	}

	// Held: 1 s of clip over 2 s; the transition out shows the clip's last frame.
	in = input([]float64{2, 2, 2}, "fade", 0.5)
	withClip(&in, 1, Clip{}, simvid.Slide{In: 2, Out: 3, Duration: 2})
	p = mustPlan(t, in)
	if at := p.Stills[p.Slides[1].OutStill].Clip.At; at != 3 {
		t.Errorf("held clip: the transition out shows second %g, want its out point 3", at)
	}

	// A part shorter than the half transition into it: its run still starts inside it.
	in = input([]float64{2, 2, 2}, "fade", 1)
	withClip(&in, 1, Clip{}, simvid.Slide{In: 2, Out: 2.2, Duration: 2})
	p = mustPlan(t, in)
	if seg := clipSegments(p)[0]; seg.Clip.From > 2.2-1.0/30+1e-9 || seg.Clip.From < 2 {
		t.Errorf("a short part's run starts at clip second %g, outside 2..2.2", seg.Clip.From)
	}
}

// TestClipKeys: a clip segment's key follows the clip's bytes, its part, speed, fit, size,
// rotation and HDR, and nothing about the pictures around it.
func TestClipKeys(t *testing.T) {
	t.Parallel()
	base := func() Input {
		in := input([]float64{2, 2, 2}, "fade", 0.5)
		withClip(&in, 1, Clip{}, simvid.Slide{In: 1, Out: 3})
		return in
	}
	key := func(in Input) string {
		segs := clipSegments(mustPlan(t, in))
		if len(segs) != 1 {
			t.Fatalf("%d clip segments", len(segs))
		}
		return segs[0].Key
	}
	k0 := key(base())
	picture := base()
	picture.Images[picture.Spec.Slides[2].Asset] = Image{SHA256: "another", Width: 320, Height: 240, Orientation: 1}
	if key(picture) != k0 {
		t.Error("a picture's change changed the clip segment's key")
	}
	changes := map[string]func(in *Input){
		"bytes": func(in *Input) {
			c := in.Clips[in.Spec.Slides[1].Asset]
			c.SHA256 = "x"
			in.Clips[in.Spec.Slides[1].Asset] = c
		},
		"in":    func(in *Input) { in.Spec.Slides[1].In = 1.5 },
		"out":   func(in *Input) { in.Spec.Slides[1].Out = 3.5 },
		"speed": func(in *Input) { in.Spec.Slides[1].Speed = 1.5 },
		"fit":   func(in *Input) { in.Spec.Slides[1].Fit = "blur" },
		"size":  func(in *Input) { in.Spec.Output.Resolution = "1280x720" },
		"fps":   func(in *Input) { in.Spec.Output.FPS = 25 },
		"hdr": func(in *Input) {
			c := in.Clips[in.Spec.Slides[1].Asset]
			c.HDR = "hlg"
			in.Clips[in.Spec.Slides[1].Asset] = c
		},
		"turn": func(in *Input) {
			c := in.Clips[in.Spec.Slides[1].Asset]
			c.Rotation = 90
			in.Clips[in.Spec.Slides[1].Asset] = c
		},
		"caption": func(in *Input) { in.Spec.Slides[1].Caption = "hi" },
		"length":  func(in *Input) { in.Spec.Slides[1].Duration = 2.5 },
	}
	for name, change := range changes {
		in := base()
		change(&in)
		if key(in) == k0 {
			t.Errorf("%s: the clip segment's key did not change", name)
		}
	}
}

// TestClipArgs: a clip segment seeks before its input, reads it as stored with its own
// demuxer, scales before it turns and tone-maps, picks frames at the output rate, holds its
// last frame, and is encoded with the plan's encoder; only numbers reach the graph.
func TestClipArgs(t *testing.T) {
	t.Parallel()
	in := input([]float64{2, 2}, "none", 0)
	in.Spec.Output.Resolution = "1920x1080"
	c := Clip{SHA256: "s", Format: "mov", Width: 2160, Height: 3840, CodedW: 3840, CodedH: 2160, Duration: 5, FPS: 30, Rotation: 90, HDR: "hlg"}
	withClip(&in, 1, c, simvid.Slide{In: 1.25, Out: 3, Speed: 0.5, Caption: "it's; [x] 'quoted'"})
	p := mustPlan(t, in)
	seg := clipSegments(p)[0]
	a, err := ClipSegmentArgs(seg, "/d/o'rig.mov", "/d/out.mp4", p.Encoder, Files{CaptionDir: "/t", Font: "/t/font.ttf"})
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Join(a, " ")
	for _, want := range []string{
		"-protocol_whitelist file -f mov -ss 1.250000 -t 1.750000 -noautorotate -i file:/d/o'rig.mov",
		"setpts=(PTS-STARTPTS)/0.5,fps=30,scale=1080:608:out_range=tv,setsar=1,zscale=tin=arib-std-b67",
		"-colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv -chroma_sample_location center",
		"tonemap=hable:desat=0", "zscale=t=bt709:m=bt709:r=tv,format=yuv420p,transpose=clock,scale=1920:1080:force_original_aspect_ratio=decrease",
		"setsar=1,format=yuv420p,drawtext=", ",tpad=",
		"tpad=stop_mode=clone:stop=-1[v]", "-frames:v 105 -c:v libx264",
	} {
		if !strings.Contains(args, want) {
			t.Errorf("args lack %q:\n%s", want, args)
		}
	}
	if strings.Contains(args, "quoted") {
		t.Errorf("the caption's text is in the args: %s", args)
	}
}

// TestClipSoundPlan: a clip's sound leaves the track in the music's pieces, and the keys of
// those it reaches follow the clip's sound, the ducking and mute; with no music the clips' sound is the track; the mix
// ducks the music with the clip's exact times and delays the clip's sound to its place.
func TestClipSoundPlan(t *testing.T) {
	t.Parallel()
	base := func() Input {
		in := input([]float64{2, 2, 2}, "none", 0)
		withClip(&in, 1, Clip{}, simvid.Slide{In: 1, Out: 3})
		in.Audio["mus"] = Audio{SHA256: "m", Duration: 60}
		in.Spec.Audio = []simvid.AudioClip{{Asset: "mus"}}
		in.Spec.Music.Fit = "trim"
		return in
	}
	p := mustPlan(t, base())
	a := p.Audio
	if len(a.Pieces) != 3 || len(a.Clips) != 1 || a.Clips[0].At != 2*AudioRate || a.Clips[0].Samples != 2*AudioRate {
		t.Fatalf("audio %+v", a)
	}
	args, err := AudioMixArgs(a, a.Pieces, "/w/m.flac", []string{"/c/clip.mp4"}, []string{"/o/p0.m4a", "/o/p1.m4a", "/o/p2.m4a"})
	if err != nil {
		t.Fatal(err)
	}
	g := strings.Join(args, " ")
	for _, want := range []string{
		"volume='1-0.748811356849042*clip(min((t-1.75)/0.25,(4.25-t)/0.25),0,1)':eval=frame",
		"-f mov -ss 1.000000 -t 2.000000 -i file:/c/clip.mp4",
		"adelay=delays=96000S:all=1[clip0]", "amix=inputs=2:normalize=0:duration=first",
	} {
		if !strings.Contains(g, want) {
			t.Errorf("mix lacks %q:\n%s", want, g)
		}
	}
	keyOf := func(change func(in *Input)) string {
		in := base()
		change(&in)
		return mustPlan(t, in).Audio.Key
	}
	k0 := keyOf(func(*Input) {})
	for name, change := range map[string]func(in *Input){
		"mute":  func(in *Input) { in.Spec.Slides[1].Mute = true },
		"duck":  func(in *Input) { d := -6.0; in.Spec.Music.DuckDB = &d },
		"in":    func(in *Input) { in.Spec.Slides[1].In = 1.5 },
		"speed": func(in *Input) { in.Spec.Slides[1].Speed = 2 },
	} {
		if keyOf(change) == k0 {
			t.Errorf("%s: the audio key did not change", name)
		}
	}
	in := base()
	in.Spec.Audio = nil
	if a := mustPlan(t, in).Audio; a == nil || a.Asset != "" || len(a.Clips) != 1 {
		t.Errorf("no music: audio %+v", a)
	}
	bad := 3.0
	in = base()
	in.Spec.Music.DuckDB = &bad
	if _, err := NewPlan(in); !simvid.IsCode(err, simvid.EUnprocessable) {
		t.Errorf("duck_db 3: %v", err)
	}
}

// A clip's sound keeps the music in its pieces (issue 21): the pieces its sound and the
// ducking do not reach keep the music's own keys (the muted show's), those they reach get
// keys of their own that a photo's change after the clip does not touch, and a run of pieces
// reads the clip only when one of them needs it, placed from the run's first sample.
func TestClipSoundKeepsMusicPieces(t *testing.T) {
	t.Parallel()
	show := func(last float64, mute bool) *AudioPlan {
		in := input([]float64{4, 2, last}, "none", 0)
		withClip(&in, 1, Clip{}, simvid.Slide{In: 1, Out: 3, Mute: mute}) // its sound at 4-6 s
		in.Audio["mus"] = Audio{SHA256: "m", Duration: 60}
		in.Spec.Audio = []simvid.AudioClip{{Asset: "mus"}}
		in.Spec.Music.Fit = "trim"
		return mustPlan(t, in).Audio
	}
	a, alone, shorter := show(12, false), show(12, true), show(10, false)
	if len(a.Pieces) != len(alone.Pieces) || len(a.Pieces) < 5 {
		t.Fatalf("%d pieces under the clip's sound, %d without", len(a.Pieces), len(alone.Pieces))
	}
	var reached []int
	for i, p := range a.Pieces {
		near := p.To > 4*AudioRate-samplesOf(duckRamp) && p.From < 6*AudioRate+samplesOf(duckRamp)
		switch {
		case near && p.Key == alone.Pieces[i].Key:
			t.Errorf("piece %d (samples %d-%d) lies under the clip's sound with the music's own key", i, p.From, p.To)
		case !near && p.Key != alone.Pieces[i].Key && i < len(a.Pieces)-1:
			t.Errorf("piece %d (samples %d-%d), away from the clip, is not the music's own", i, p.From, p.To)
		case near:
			reached = append(reached, i)
			if p.Key != shorter.Pieces[i].Key {
				t.Errorf("piece %d under the clip changed with the last photo's duration", i)
			}
		}
	}
	if len(reached) != 2 || reached[0] != 1 {
		t.Fatalf("pieces %v under the clip's sound at 4-6 s, want 1 and 2", reached)
	}

	args := func(i int) string {
		t.Helper()
		g, err := AudioMixArgs(a, a.Pieces[i:i+1], "/w/m.flac", []string{"/c/clip.mp4"}, []string{"/o/p.m4a"})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(g, " ")
	}
	if g := args(0); strings.Contains(g, "clip.mp4") || strings.Contains(g, "amix") || strings.Contains(g, "volume") {
		t.Errorf("the music's own piece reads the clip or ducks:\n%s", g)
	}
	// Piece 2's encoder starts at sample 240640, inside the clip's sound (192000-288000): the
	// music from 240480 (the ducking's frame grid), the clip's sound cut by the difference.
	g := args(2)
	for _, want := range []string{"atrim=start_pts=240480:end_pts=2880000", "asetnsamples=n=240:p=0,volume=",
		"-t 2.000000 -i file:/c/clip.mp4", "atrim=start_sample=48480,asetpts=PTS-STARTPTS[clip0]", "[ducked][clip0]amix=inputs=2"} {
		if !strings.Contains(g, want) {
			t.Errorf("piece 2's run lacks %q:\n%s", want, g)
		}
	}
	// A run of both: the music split before the ducking, each piece from its side.
	both, err := AudioMixArgs(a, a.Pieces[:2], "/w/m.flac", []string{"/c/clip.mp4"}, []string{"/o/a.m4a", "/o/b.m4a"})
	if err != nil {
		t.Fatal(err)
	}
	if g := strings.Join(both, " "); !strings.Contains(g, "asplit=2[plain][music];[plain]asplit=1[s0]") || !strings.Contains(g, "amix=inputs=2:normalize=0:duration=first,asplit=1[s1]") {
		t.Errorf("a run of a plain and a mixed piece:\n%s", g)
	}
}
