package engine

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/testutil"
)

// TestMotionIsSmooth tracks a white square through every frame of zooms and pans: its centre
// moves one way only, never back, in steps of even size (no jitter). Each slide fades into
// a black slide, so its last frames come from a transition segment, and the longer zoom-in is
// cut into two motion parts (render's motionChunk is 4 s): the motion carries on across the
// joins.
func TestMotionIsSmooth(t *testing.T) {
	k := newKit(t)
	// A dark grey picture with a small white square right of and above the centre.
	pic := k.picture("dot.png", "color=c=0x202020:s=320x240,drawbox=x=220:y=70:w=10:h=10:c=white:t=fill")
	black := k.picture("black.png", "color=c=black:s=320x240")
	// Every motion's window moves the way its name says (the picture pans against the
	// window; a zoom-in narrows it): the frames below are drawn from these windows by one
	// code path, so the renders need not repeat it for every direction.
	for _, c := range []struct {
		motion string
		axis   int     // the window's coordinate that moves: 0 = x, 1 = y, 2 = width
		sign   float64 // the way it moves
	}{{"zoom-in", 2, -1}, {"zoom-out", 2, +1}, {"pan-left", 0, +1}, {"pan-right", 0, -1}, {"pan-up", 1, +1}, {"pan-down", 1, -1}} {
		s := k.show("640x480", "draft")
		s.slide(pic, 1.5, "contain", 1)
		s.in.Spec.Slides[0].Motion = c.motion
		mv := s.plan().Segments[0].Moves[0]
		if mv == nil || mv.Name != c.motion {
			t.Fatalf("%s: move %+v", c.motion, mv)
		}
		moves := []int{c.axis} // the coordinates that must move; a pan keeps the others
		if c.axis == 2 {
			moves = []int{2, 3}
		}
		for i := range 4 {
			d := (mv.End[i] - mv.Start[i]) * c.sign
			if slices.Contains(moves, i) && d < 1 || c.axis < 2 && !slices.Contains(moves, i) && d != 0 {
				t.Errorf("%s: the window goes from %v to %v", c.motion, mv.Start, mv.End)
			}
		}
	}

	// Rendered: both zooms, a pan along each axis, and a moving slide after a fade.
	cases := []struct {
		motion string
		axis   int     // 0 = x, 1 = y
		sign   float64 // the way the square must move
		secs   float64
	}{
		{"zoom-in", 0, +1, 4.5}, {"zoom-out", 0, -1, 1.5}, {"pan-up", 1, -1, 1.5},
		{"pan-right", 0, +1, -1.5}, // negative: the moving slide comes second, after a fade into it
	}
	for _, c := range cases {
		name := c.motion
		if c.secs < 0 {
			name += " after a fade"
		}
		t.Run(name, func(t *testing.T) {
			s := k.show("640x480", "draft")
			s.name = strings.ReplaceAll(name, " ", "-")
			s.in.Lossless = true
			moving := 0
			if c.secs < 0 {
				c.secs, moving = -c.secs, 1
				s.slide(black, 1, "contain", 1)
			}
			s.slide(pic, c.secs, "contain", 1)
			s.slide(black, 1, "contain", 1)
			s.in.Spec.Slides[moving].Motion = c.motion
			if c.secs > 4 { // as far a frame as the default 0.15 over 2.5 s: steps above the centroid's noise
				s.in.Spec.Slides[moving].Strength = 0.27
			}
			s.in.Spec.Transition.Name, s.in.Spec.Transition.Duration = "fade", 0.4
			plan := s.plan()
			last := len(plan.Segments) - 2 // the transition out of the moving slide
			if plan.Segments[2*moving].Kind != "motion" || len(plan.Segments[last].Moves) != 2 || (c.secs > 4) != (last == 2+2*moving) {
				t.Fatalf("segments: %+v", plan.Segments)
			}
			s.run(context.Background())
			checkVideo(t, k, s.job.Output, plan, false)
			frames := testutil.GrayFrames(t, s.job.Output, 640, 480)
			var pos []float64
			// The slide's own frames: after a fade into it, the first ones are that fade's.
			sl := plan.Slides[moving]
			for _, f := range frames[sl.Start : sl.Start+sl.Frames] {
				x, y, w := testutil.Centroid(f, 640, 100)
				if w == 0 {
					t.Fatalf("the square is lost in frame %d", len(pos))
				}
				pos = append(pos, []float64{x, y}[c.axis])
			}
			total := (pos[len(pos)-1] - pos[0]) * c.sign
			if total < 10 {
				t.Fatalf("the square moved %.2f px (%v)", total, pos)
			}
			mean := total / float64(len(pos)-1)
			for i := 1; i < len(pos); i++ {
				step := (pos[i] - pos[i-1]) * c.sign
				if step < 0 {
					t.Errorf("frame %d: the square went back by %.3f px", i, -step)
				}
				if math.Abs(step-mean) > 0.6*mean {
					t.Errorf("frame %d: step %.3f px, mean %.3f px: jitter", i, step, mean)
				}
			}
		})
	}
}

// A moving segment's x264 takes the machine's cores (one such encoder at a time: its frames
// are most of a motion render's memory), unless its threads were set above one.
func TestMotionEncoderTakesTheCores(t *testing.T) {
	t.Parallel()
	if got := motionEncoder(render.Encoder{Threads: 1}).Threads; got != runtime.NumCPU() {
		t.Errorf("threads %d, want %d", got, runtime.NumCPU())
	}
	if got := motionEncoder(render.Encoder{Threads: 3}).Threads; got != 3 {
		t.Errorf("threads %d, want 3", got)
	}
}

// A fade between two moving slides is blended here and fed as one stream (FedFade): dark
// grey to white, lossless, its frames brighten steadily from the one to the other, and the
// video has every frame.
func TestFedFadeBetweenMovingSlides(t *testing.T) {
	k := newKit(t)
	dark := k.picture("dark.png", "color=c=0x202020:s=320x240")
	light := k.picture("light.png", "color=c=0xe0e0e0:s=320x240")
	s := k.show("640x480", "draft")
	s.in.Lossless = true
	s.slide(dark, 1, "contain", 1)
	s.slide(light, 1, "contain", 1)
	s.in.Spec.Defaults.Motion = "zoom-in"
	s.in.Spec.Transition.Name, s.in.Spec.Transition.Duration = "fade", 0.5
	plan := s.plan()
	tr := plan.Segments[1]
	if tr.Kind != "transition" || !tr.FedFade() {
		t.Fatalf("segment 1: %+v", tr)
	}
	s.run(context.Background())
	checkVideo(t, k, s.job.Output, plan, false)
	frames := testutil.GrayFrames(t, s.job.Output, 640, 480)
	mean := func(f []byte) float64 {
		var sum float64
		for _, v := range f {
			sum += float64(v)
		}
		return sum / float64(len(f))
	}
	a, b := mean(frames[tr.Start-1]), mean(frames[tr.Start+tr.Frames])
	if b-a < 100 {
		t.Fatalf("dark %.1f, light %.1f", a, b)
	}
	prev := a
	for i := tr.Start; i < tr.Start+tr.Frames; i++ {
		m := mean(frames[i])
		want := a + (b-a)*float64(i-tr.Start)/float64(tr.Frames)
		if m < prev || math.Abs(m-want) > 3 {
			t.Errorf("frame %d: mean %.1f, want %.1f (previous %.1f)", i, m, want, prev)
		}
		prev = m
	}
}

// TestMotionRunInOneFFmpeg: a show whose every segment is fed frames (moving holds, fades
// between moving slides) starts one ffmpeg for all of them instead of one a segment, and
// its video is the one the segments encoded one by one make: every frame the same when
// lossless, within 40 dB PSNR with x264's B-frames (veryfast), joined by a copy of the
// samples (no ffmpeg join), every frame there and decoding cleanly. The lossless show is
// made as a worker makes a group (EncodeGroup), the other by Run (simvid render).
func TestMotionRunInOneFFmpeg(t *testing.T) {
	for _, quality := range []string{"lossless", "standard"} {
		t.Run(quality, func(t *testing.T) {
			k := newKit(t)
			pics := []string{
				k.picture("a.png", "testsrc2=s=320x240"),
				k.picture("b.png", "color=c=0x305080:s=320x240,drawbox=x=100:y=60:w=60:h=40:c=white:t=fill"),
				k.picture("c.png", "testsrc=s=320x240"),
			}
			show := func(k *kit, name string) *slideshow {
				s := k.show("640x480", "standard")
				s.name = name
				s.in.Lossless = quality == "lossless"
				for _, p := range pics {
					s.slide(p, 1, "contain", 1)
				}
				s.in.Spec.Defaults.Motion = "zoom-in"
				s.in.Spec.Transition.Name, s.in.Spec.Transition.Duration = "fade", 0.5
				return s
			}
			s := show(k, "run")
			plan := s.plan()
			if len(plan.Segments) != 5 {
				t.Fatalf("segments: %+v", plan.Segments)
			}
			for _, sg := range plan.Segments {
				if !sg.FedAlone() {
					t.Fatalf("segment %d is not fed alone: %+v", sg.Index, sg)
				}
			}
			if quality == "lossless" {
				gs := plan.Groups(1e9)
				if len(gs) != 1 {
					t.Fatalf("%d groups", len(gs))
				}
				byHand(t, k, s, plan, func(ctx context.Context) error {
					_, err := k.eng.EncodeGroup(ctx, gs[0], plan.Encoder, nil)
					return err
				})
			} else {
				s.run(context.Background())
			}
			checkVideo(t, k, s.job.Output, plan, false)
			encodes := 0
			for _, u := range k.ff.Usage().Snapshot() {
				switch u.Kind {
				case ffmpeg.KindSegment, ffmpeg.KindOther:
					encodes += int(u.Runs)
				case ffmpeg.KindJoin:
					t.Errorf("the segments were joined by ffmpeg, not by a copy of their samples")
				}
			}
			if encodes != 1 {
				t.Errorf("%d ffmpeg encoded the segments, want 1", encodes)
			}

			// The same segments, each encoded on its own by its own ffmpeg, joined.
			k1 := newKit(t)
			one := show(k1, "one")
			p1 := one.plan()
			byHand(t, k1, one, p1, func(ctx context.Context) error {
				for _, sg := range p1.Segments {
					if _, err := k1.eng.EncodeSegment(ctx, sg, p1.Encoder, nil); err != nil {
						return err
					}
				}
				return nil
			})
			got, want := testutil.GrayFrames(t, s.job.Output, 640, 480), testutil.GrayFrames(t, one.job.Output, 640, 480)
			if len(got) != len(want) || int64(len(got)) != plan.Frames {
				t.Fatalf("%d frames, one by one %d, want %d", len(got), len(want), plan.Frames)
			}
			for i := range got {
				if quality == "lossless" {
					if !bytes.Equal(got[i], want[i]) {
						t.Errorf("frame %d differs from the one encoded on its own", i)
					}
					continue
				}
				if p := psnr(got[i], want[i]); p < 40 {
					t.Errorf("frame %d: %.1f dB from the one encoded on its own", i, p)
				}
			}
		})
	}
}

// byHand makes show's video as a worker does: its stills, its segments by encode, joined.
func byHand(t *testing.T, k *kit, show *slideshow, p *render.Plan, encode func(context.Context) error) {
	t.Helper()
	ctx := context.Background()
	for _, st := range p.Stills {
		if _, err := k.eng.PrepareStill(ctx, st, show.job.ImagePaths[st.Asset]); err != nil {
			t.Fatal(err)
		}
	}
	if err := encode(ctx); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(show.job.Output), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := k.eng.Assemble(ctx, p, "", show.job.Output); err != nil {
		t.Fatal(err)
	}
}

// psnr is the PSNR of b against a, two planes of bytes, in dB (99 when they are the same).
func psnr(a, b []byte) float64 {
	var se float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		se += d * d
	}
	if se == 0 {
		return 99
	}
	return 10 * math.Log10(255*255*float64(len(a))/se)
}
