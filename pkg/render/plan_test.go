package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
)

// input builds a normalized spec with one picture per slide (durations in seconds).
func input(durs []float64, trans string, transDur float64) Input {
	in := Input{Images: map[string]Image{}, Audio: map[string]Audio{}, FFmpegVersion: "5.1"}
	in.Spec.Output = simvid.Output{Resolution: "640x480", FPS: 30}
	in.Spec.Transition = simvid.TransitionSpec{Name: trans, Duration: transDur}
	for i, d := range durs {
		id := simvid.NewID(simvid.PrefixImage)
		in.Images[id] = Image{SHA256: fmt.Sprintf("sha%d", i), Width: 320, Height: 240, Orientation: 1}
		in.Spec.Slides = append(in.Spec.Slides, simvid.Slide{Asset: id, Duration: d})
	}
	in.Spec.Normalize()
	return in
}

func repeat(d float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func TestPlanTimeline(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		in        Input
		frames    int64
		segments  int
		trans     []int64 // transition segment lengths, in order
		warnings  []string
		firstHold int64
	}{
		{name: "twelve 3 s slides with 0.5 s fades", in: input(repeat(3, 12), "fade", 0.5),
			frames: 1080, segments: 23, trans: []int64{15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15}, firstHold: 83},
		{name: "one slide", in: input([]float64{2.5}, "fade", 0.5), frames: 75, segments: 1, firstHold: 75},
		{name: "odd durations", in: input([]float64{1.01, 2.345, 0.77, 4.999}, "fade", 0.45),
			// cuts at the frames nearest 1.01, 3.355, 4.125 and 9.124 s: 30, 101, 124, 274
			frames: 274, segments: 7, trans: []int64{14, 14, 14}, firstHold: 23},
		{name: "all cuts", in: input(repeat(2, 5), "none", 0), frames: 300, segments: 5, firstHold: 60},
		{name: "half-second slides, 2 s transitions", in: input(repeat(0.5, 4), "fade", 2),
			frames: 60, segments: 5, trans: []int64{16, 15, 15}, firstHold: 7,
			warnings: []string{
				"transition between slide 1 and 2 shortened from 2 s to 0.53 s: slide 2 is too short",
				"transition between slide 2 and 3 shortened from 2 s to 0.5 s: slide 2 is too short",
				"transition between slide 3 and 4 shortened from 2 s to 0.5 s: slide 3 is too short",
			}},
		{name: "one short slide between long ones", in: input([]float64{3, 3, 3, 0.5, 3}, "fade", 1),
			frames: 375, segments: 8 /* slide 4 has no hold left */, trans: []int64{30, 30, 16, 15}, firstHold: 75,
			warnings: []string{
				"transition between slide 3 and 4 shortened from 1 s to 0.53 s: slide 4 is too short",
				"transition between slide 4 and 5 shortened from 1 s to 0.5 s: slide 4 is too short",
			}},
	}
	mixed := input(repeat(3, 4), "fade", 0.5)
	mixed.Spec.Slides[1].Transition = "none"
	mixed.Spec.Slides[2].Transition = "wipeleft"
	cases = append(cases, struct {
		name      string
		in        Input
		frames    int64
		segments  int
		trans     []int64
		warnings  []string
		firstHold int64
	}{name: "mixed none and fade", in: mixed, frames: 360, segments: 6, trans: []int64{15, 15}, firstHold: 83})

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p, err := NewPlan(c.in)
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, p)
			if p.Frames != c.frames || len(p.Segments) != c.segments {
				t.Fatalf("frames %d segments %d, want %d and %d", p.Frames, len(p.Segments), c.frames, c.segments)
			}
			if p.Duration != float64(c.frames)/30 {
				t.Errorf("duration %g", p.Duration)
			}
			var trans []int64
			for _, sg := range p.Segments {
				if sg.Kind == KindTransition {
					trans = append(trans, sg.Frames)
				}
			}
			if fmt.Sprint(trans) != fmt.Sprint(c.trans) && !(len(trans) == 0 && len(c.trans) == 0) {
				t.Errorf("transitions %v, want %v", trans, c.trans)
			}
			if p.Segments[0].Frames != c.firstHold {
				t.Errorf("first hold %d frames, want %d", p.Segments[0].Frames, c.firstHold)
			}
			if strings.Join(p.Warnings, "\n") != strings.Join(c.warnings, "\n") {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(p.Warnings, "\n"), strings.Join(c.warnings, "\n"))
			}
		})
	}
}

// checkInvariants asserts what every plan must hold.
func checkInvariants(t *testing.T, p *Plan) {
	t.Helper()
	var sum, at int64
	for i, sg := range p.Segments {
		if sg.Frames <= 0 || sg.Start != at || sg.Index != i || sg.FPS != p.FPS {
			t.Fatalf("segment %d: %+v (expected start %d)", i, sg, at)
		}
		if sg.Kind == KindTransition && sg.Frames < 2 {
			t.Fatalf("segment %d: a transition of %d frames", i, sg.Frames)
		}
		at += sg.Frames
		sum += sg.Frames
	}
	var slides int64
	for i, sl := range p.Slides {
		if sl.In+sl.Out > sl.Frames {
			t.Fatalf("slide %d gives %d+%d of its %d frames", i, sl.In, sl.Out, sl.Frames)
		}
		if i > 0 && p.Slides[i-1].Out > 0 && sl.In != p.Slides[i-1].Out+(sl.In+p.Slides[i-1].Out)%2 {
			t.Fatalf("transition into slide %d not centred: out %d in %d", i, p.Slides[i-1].Out, sl.In)
		}
		slides += sl.Frames
	}
	if sum != p.Frames || slides != p.Frames {
		t.Fatalf("segments add to %d, slides to %d, plan says %d", sum, slides, p.Frames)
	}
}

func TestPlanDropsTooShortTransitionToCut(t *testing.T) {
	t.Parallel()
	in := input(repeat(0.5, 3), "fade", 1)
	in.Spec.Output.FPS = 2 // a slide of one frame
	p, err := NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, p)
	want := "transition between slide 2 and 3 replaced by a cut: slide 2 is too short"
	if len(p.Warnings) != 1 || p.Warnings[0] != want {
		t.Fatalf("warnings %q", p.Warnings)
	}
}

func TestPlanStillsAndKeys(t *testing.T) {
	t.Parallel()
	in := input(repeat(3, 4), "fade", 0.5)
	in.Spec.Slides[2].Asset = in.Spec.Slides[0].Asset // the same picture again
	in.Spec.Slides[3].Fit = "blur"
	p, err := NewPlan(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Stills) != 3 || fmt.Sprint(p.Stills[0].Slides) != "[0 2]" {
		t.Fatalf("stills %+v", p.Stills)
	}
	if p.Stills[2].Fit != "blur" || p.Stills[2].Background != "" {
		t.Errorf("blur still %+v", p.Stills[2])
	}
	again, _ := NewPlan(in)
	if again.Key != p.Key || again.Segments[3].Key != p.Segments[3].Key {
		t.Error("keys are not deterministic")
	}
	// Lengthening the last slide changes its hold only.
	longer := in
	longer.Spec.Slides = append([]simvid.Slide(nil), in.Spec.Slides...)
	longer.Spec.Slides[3].Duration = 4
	q, _ := NewPlan(longer)
	changed := 0
	for i := range p.Segments {
		if p.Segments[i].Key != q.Segments[i].Key {
			changed++
		}
	}
	if changed != 1 || q.Key == p.Key {
		t.Errorf("%d segment keys changed, want 1", changed)
	}
	in.FFmpegVersion = "6.0"
	r, _ := NewPlan(in)
	if r.Stills[0].Key == p.Stills[0].Key || r.Segments[0].Key == p.Segments[0].Key {
		t.Error("the ffmpeg version is not part of the keys")
	}
	in.FFmpegVersion, in.Lossless = "5.1", true
	r, _ = NewPlan(in)
	if r.Stills[0].Key != p.Stills[0].Key || r.Segments[0].Key == p.Segments[0].Key {
		t.Error("the encoder must change segment keys and not still keys")
	}
}

// A JPEG is decoded at 1/2^k of its size when that still covers what the fit keeps (so the
// fit only ever shrinks), other formats never; the still's key says so, and only then.
func TestPlanStillLowres(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		format, fit string
		w, h, want  int
	}{
		{"jpeg", "contain", 4000, 3000, 1}, // 1440x1080 kept of 2000x1500
		{"jpeg", "contain", 3840, 2160, 1}, // 1920x1080: exactly half
		{"jpeg", "contain", 3836, 2156, 0}, // a little short of twice 1920x1080
		{"jpeg", "blur", 8000, 6000, 2},
		{"jpeg", "cover", 4000, 3000, 1}, // 1920x1440 of 2000x1500
		{"jpeg", "cover", 3000, 4000, 0}, // 1920x2560
		{"jpeg", "contain", 20000, 15000, 3},
		{"png", "contain", 8000, 6000, 0},
		{"webp", "contain", 8000, 6000, 0},
		{"jpeg", "contain", 1920, 1080, 0},
	} {
		in := input([]float64{3}, "none", 0)
		in.Spec.Output.Resolution = "1920x1080"
		in.Spec.Slides[0].Fit = c.fit
		id := in.Spec.Slides[0].Asset
		in.Images[id] = Image{SHA256: "sha", Width: c.w, Height: c.h, Orientation: 1, Format: c.format}
		p, err := NewPlan(in)
		if err != nil {
			t.Fatal(err)
		}
		st := p.Stills[0]
		if st.Lowres != c.want {
			t.Errorf("%s %s %dx%d: lowres %d, want %d", c.format, c.fit, c.w, c.h, st.Lowres, c.want)
		}
		full := st
		full.Lowres = 0
		if (stillKey(full, in.FFmpegVersion) == st.Key) != (c.want == 0) {
			t.Errorf("%s %s %dx%d: the key does not follow the lowres", c.format, c.fit, c.w, c.h)
		}
		if args := strings.Join(StillArgs(st, "/in.jpg", "/out.y4m"), " "); strings.Contains(args, "-lowres") != (c.want > 0) {
			t.Errorf("%s %s %dx%d: %s", c.format, c.fit, c.w, c.h, args)
		}
	}
}

func TestPlanRejects(t *testing.T) {
	t.Parallel()
	in := input(repeat(3, 2), "fade", 0.5)
	in.Spec.Slides[0].Transition = "fade,drawtext=x"
	if _, err := NewPlan(in); !simvid.IsCode(err, simvid.EUnprocessable) {
		t.Errorf("filter injection through a transition name: %v", err)
	}
	in = input(repeat(3, 2), "fade", 0.5)
	delete(in.Images, in.Spec.Slides[1].Asset)
	if _, err := NewPlan(in); err == nil || !strings.Contains(err.Error(), "slide 2") {
		t.Errorf("missing picture: %v", err)
	}
	if _, err := NewPlan(input(nil, "fade", 0.5)); err == nil {
		t.Error("no slides accepted")
	}
}
