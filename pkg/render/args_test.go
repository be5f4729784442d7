package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
)

func TestStillArgs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		st   Still
		want []string
		not  []string
	}{
		{Still{Fit: "contain", Background: "#112233", W: 640, H: 360, Orientation: 6},
			[]string{"[0:v]transpose=1,scale=640:360:force_original_aspect_ratio=decrease:force_divisible_by=2,format=gbrp,pad=640:360:(ow-iw)/2:(oh-ih)/2:color=0x112233",
				"setsar=1,scale=out_color_matrix=bt709:out_range=tv,format=yuv420p[v]"},
			[]string{"overlay"}},
		{Still{Fit: "blur", W: 1920, H: 1080, Orientation: 1},
			[]string{"[0:v]split=2", "scale=240:134:force_original_aspect_ratio=increase,format=gbrp,crop=240:134,gblur", "overlay=(W-w)/2:(H-h)/2:format=gbrp,",
				"scale=out_color_matrix=bt709:out_range=tv,format=yuv420p[v]"},
			[]string{"pad=", "transpose", "hflip"}},
		{Still{Fit: "cover", W: 480, H: 640, Orientation: 3, FocusX: 0.25, FocusY: 0.5},
			[]string{"[0:v]hflip,vflip,scale=480:640:force_original_aspect_ratio=increase,format=gbrp,crop=480:640:(iw-ow)*0.25:(ih-oh)*0.5",
				"scale=out_color_matrix=bt709:out_range=tv,format=yuv420p[v]"},
			nil},
	}
	for _, c := range cases {
		c.st.Format = "jpeg" // read by its own demuxer and nothing else (ffargs.Input)
		a := StillArgs(c.st, "/in/pic.jpg", "/cache/s.y4m")
		joined := strings.Join(a, " ")
		// One decoder thread and one filter thread: ffargs.PictureGraph.
		if !strings.HasPrefix(joined, "-protocol_whitelist file -f jpeg_pipe -threads 1 -nofind_stream_info -noautorotate -i file:/in/pic.jpg "+
			"-frames:v 1 -filter_complex_threads 1 -filter_complex ") ||
			!strings.HasSuffix(joined, "-f yuv4mpegpipe file:/cache/s.y4m") || strings.Contains(joined, "-loop") {
			t.Errorf("args %q", a)
		}
		for _, w := range c.want {
			if !strings.Contains(joined, w) {
				t.Errorf("%s fit: %q lacks %q", c.st.Fit, joined, w)
			}
		}
		for _, n := range c.not {
			if strings.Contains(joined, n) {
				t.Errorf("%s fit: %q has %q", c.st.Fit, joined, n)
			}
		}
	}
}

func TestSegmentArgs(t *testing.T) {
	t.Parallel()
	enc, _ := EncoderFor("standard", false)
	enc.Threads = 2
	hold := strings.Join(SegmentArgs(Segment{Kind: KindHold, Frames: 83, FPS: 30}, []string{"/c/a.y4m"}, "/c/h.mp4", enc), " ")
	for _, w := range []string{"-r 30 -f yuv4mpegpipe -i file:/c/a.y4m", "[0:v]format=yuv444p,format=yuv420p,loop=loop=82:size=1:start=0,settb=1/30,setpts=N/30/TB[v]",
		"-frames:v 83", "-c:v libx264 -preset veryfast -x264-params " + staticTuning + " -crf 23 -pix_fmt yuv420p -r 30 " +
			"-colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv -chroma_sample_location center -threads 2",
		"-f mp4 file:/c/h.mp4"} {
		if !strings.Contains(hold, w) {
			t.Errorf("hold %q lacks %q", hold, w)
		}
	}
	tr := strings.Join(SegmentArgs(Segment{Kind: KindTransition, Frames: 15, FPS: 30, Transition: "wipeleft"},
		[]string{"/c/a.y4m", "/c/b.y4m"}, "/c/t.mp4", enc), " ")
	if !strings.Contains(tr, "-x264-params "+staticTuning) {
		t.Errorf("a transition between stills lacks the fast tuning: %q", tr)
	}
	for _, w := range []string{"-i file:/c/b.y4m", "[1:v]loop=loop=14:size=1", "xfade=transition=wipeleft:duration=0.500000:offset=0,format=yuv420p[v]", "-frames:v 15"} {
		if !strings.Contains(tr, w) {
			t.Errorf("transition %q lacks %q", tr, w)
		}
	}
	// A fade is blended in 4:2:0 from stills that took the holds' chroma round trip once.
	fade := strings.Join(SegmentArgs(Segment{Kind: KindTransition, Frames: 15, FPS: 30, Transition: "fade"},
		[]string{"/c/a.y4m", "/c/b.y4m"}, "/c/t.mp4", enc), " ")
	for _, w := range []string{"[0:v]" + ChromaTrip + ",loop=loop=14:size=1", "[1:v]" + ChromaTrip + ",loop=loop=14:size=1",
		"[b]format=yuva420p,fade=in:s=0:n=15:alpha=1[v_alpha];[a][v_alpha]overlay=format=yuv420[v]", "-frames:v 15"} {
		if !strings.Contains(fade, w) {
			t.Errorf("fade %q lacks %q", fade, w)
		}
	}
	if strings.Contains(fade, "xfade") {
		t.Errorf("fade %q goes through xfade", fade)
	}
	for q, want := range map[string]string{"draft": "-preset ultrafast -crf 28", "high": "-preset medium -crf 20"} {
		e, err := EncoderFor(q, false)
		if err != nil || !strings.Contains(strings.Join(e.Args(30), " "), want) {
			t.Errorf("%s: %v %v", q, e.Args(30), err)
		}
	}
	if e, _ := EncoderFor("high", true); !strings.Contains(strings.Join(e.Args(30), " "), "-qp 0") {
		t.Errorf("lossless: %v", e.Args(30))
	}
	if _, err := EncoderFor("ultra", false); err == nil {
		t.Error("unknown quality accepted")
	}
}

func TestConcatList(t *testing.T) {
	t.Parallel()
	got := ConcatList([]string{"/c/a.mp4", "/c/it's.mp4", "/c/b.mp4"}, []int64{1, 1, 1}, 30)
	want := "ffconcat version 1.0\nfile '/c/a.mp4'\nduration 0.033333\nfile '/c/it'\\''s.mp4'\nduration 0.033334\nfile '/c/b.mp4'\nduration 0.033333\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if l := ConcatList([]string{"/a"}, nil, 30); l != "ffconcat version 1.0\nfile '/a'\n" {
		t.Errorf("without durations: %q", l)
	}
	a := strings.Join(AssembleArgs("/t/list", "/c/a.m4a", "/o/.v.tmp"), " ")
	if a != "-f concat -safe 0 -i file:/t/list -i file:/c/a.m4a -map 0:v:0 -map 1:a:0 -c copy -movflags +faststart -f mp4 file:/o/.v.tmp" {
		t.Errorf("assemble: %s", a)
	}
	if a := strings.Join(AssembleArgs("/t/list", "", "/o/v"), " "); strings.Contains(a, "1:a") || strings.Contains(a, "-shortest") {
		t.Errorf("assemble without audio: %s", a)
	}
}

func TestAudioPlan(t *testing.T) {
	t.Parallel()
	withMusic := func(dur, start, end float64, fit string, fadeOut *float64) *AudioPlan {
		t.Helper()
		in := input(repeat(3, 4), "fade", 0.5) // 12 s
		id := simvid.NewID(simvid.PrefixAudio)
		in.Audio[id] = Audio{SHA256: "music", Duration: dur}
		in.Spec.Audio = []simvid.AudioClip{{Asset: id, Start: start, End: end}}
		in.Spec.Music = simvid.MusicSpec{Fit: fit, FadeIn: 0.5, FadeOut: fadeOut, Volume: 0.8}
		p, err := NewPlan(in)
		if err != nil {
			t.Fatal(err)
		}
		return p.Audio
	}
	if p, _ := NewPlan(input(repeat(3, 2), "fade", 0.5)); p.Audio != nil {
		t.Error("audio plan without music")
	}
	all := func(a *AudioPlan) string {
		outs := make([]string, len(a.Pieces))
		for i := range outs {
			outs[i] = fmt.Sprintf("/c/%d.m4a", i)
		}
		return strings.Join(AudioPiecesArgs(a, a.Pieces, "/w/m.flac", outs), " ")
	}
	short := withMusic(5, 1, 0, "loop", nil)
	args := all(short)
	for _, w := range []string{"atrim=start_pts=48000:end_pts=240000,asetpts=PTS-48000,aloop=loop=-1:size=240000,asetpts=N/SR/TB,apad,atrim=end_pts=576000",
		"afade=t=in:ss=0:ns=24000", "afade=t=out:ss=504000:ns=72000", "volume=0.8", "asplit=4[s0][s1][s2][s3];",
		"[s0]atrim=start_pts=0:end_pts=99328,asetpts=PTS-STARTPTS[p0]",
		"[s3]atrim=start_pts=433152:end_pts=576000,asetpts=PTS-STARTPTS[p3]",
		"-map [p0] -c:a aac -b:a 192k -ar 48000 -f ipod file:/c/0.m4a"} {
		if !strings.Contains(args, w) {
			t.Errorf("%q lacks %q", args, w)
		}
	}
	if !short.Loop || short.End != 5 || short.Seconds() != 12 {
		t.Errorf("short music %+v", short)
	}
	long := withMusic(300, 0, 0, "loop", nil)
	if long.Loop || strings.Contains(all(long), "aloop") {
		t.Errorf("long music loops: %+v", long)
	}
	// A piece far into a long clip is read from a seek a second before it, on the working
	// copy's own timestamps.
	late := withMusic(300, 100, 0, "trim", nil)
	last := late.Pieces[len(late.Pieces)-1]
	args = strings.Join(AudioPiecesArgs(late, []AudioPiece{last}, "w", []string{"o"}), " ")
	if want := fmt.Sprintf("-noaccurate_seek -copyts -ss %s -i file:w -filter_complex [0:a]atrim=start_pts=%d:end_pts=14400000,asetpts=PTS-4800000,apad,atrim=end_pts=576000",
		ff(float64(4800000+last.From-AudioRate)/AudioRate), 4800000+last.From); !strings.Contains(args, want) {
		t.Errorf("%q lacks %q", args, want)
	}
	zero := 0.0
	trimmed := withMusic(5, 0, 0, "trim", &zero)
	args = all(trimmed)
	if trimmed.Loop || !strings.Contains(args, "apad,atrim=end_pts=576000") || strings.Contains(args, "t=out") {
		t.Errorf("trimmed music: %s", args)
	}
	// Past the clip, the pieces keep its last frames for apad to continue.
	args = strings.Join(AudioPiecesArgs(trimmed, trimmed.Pieces[3:], "w", []string{"a"}), " ")
	if !strings.Contains(args, "[0:a]atrim=start_pts=237952:end_pts=240000,asetpts=PTS-0,apad") {
		t.Errorf("pieces after the clip: %s", args)
	}
	// The fit decides the samples only when the clip is shorter than the video.
	if withMusic(5, 0, 0, "loop", nil).Key == withMusic(5, 0, 0, "trim", nil).Key {
		t.Error("looped and padded music share a key")
	}
	if withMusic(300, 0, 0, "loop", nil).Key != withMusic(300, 0, 0, "trim", nil).Key {
		t.Error("the same samples have two keys")
	}
}

// StillFilterTap adds only a split after the fitting scale, and only when the fit shrinks the
// picture to at least minSide on its long side.
func TestStillFilterTap(t *testing.T) {
	t.Parallel()
	for _, fit := range []string{"contain", "cover", "blur"} {
		st := Still{Fit: fit, Background: "#000000", W: 1920, H: 1080, Orientation: 6}
		plain := StillFilter(st, "[0:v]")
		g, ok := StillFilterTap(st, "[0:v]", "[t]", 2400, 3600, 402)
		split, was := ",split=2[fitted][t];[fitted]", ","
		if fit == "blur" {
			split, was = ",split=2[fg][t]", "[fg]"
		}
		if !ok || strings.Count(g, "[t]") != 1 || strings.Replace(g, split, was, 1) != plain {
			t.Errorf("%s: tapped %v\n%s\nfrom\n%s", fit, ok, g, plain)
		}
		for _, c := range []struct {
			w, h, min int
			tap       string
		}{{800, 600, 402, "[t]"}, {6000, 4000, 4000, "[t]"}, {6000, 4000, 402, ""}} { // enlarged; too small; no tap asked
			if g, ok := StillFilterTap(st, "[0:v]", c.tap, c.w, c.h, c.min); ok || g != plain {
				t.Errorf("%s %dx%d min %d tap %q: tapped %v: %s", fit, c.w, c.h, c.min, c.tap, ok, g)
			}
		}
	}
}
