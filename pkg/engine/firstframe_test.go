package engine

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/render"
)

// keyframeRuns is how many keyframes ffmpeg runs the kit's engine has started.
func keyframeRuns(k *kit) int64 {
	for _, u := range k.ff.Usage().Snapshot() {
		if u.Kind == ffmpeg.KindKeyframes {
			return u.Runs
		}
	}
	return 0
}

// TestHoldFirstFrameFromFade: a hold whose still starts a fade, in one group with the fade
// (in plan order, the hold first), is made with the fade's one keyframes run, and its
// segment is the same to the byte as the hold made by its own run in another cache. With
// the high quality (no still-picture tuning: x264 codes the first picture differently when
// another follows) the hold keeps its own x264 encode, in the fade's ffmpeg (keyframesAhead).
func TestHoldFirstFrameFromFade(t *testing.T) {
	for _, c := range []struct {
		quality string
		runs    int64 // keyframes runs for the group of the first hold and the fade
	}{{"standard", 1}, {"high", 1}} {
		t.Run(c.quality, func(t *testing.T) {
			k := newKit(t)
			s := k.show("640x480", c.quality)
			s.slide(k.picture("a.png", "testsrc=s=640x480"), 1, "", 1)
			s.slide(k.picture("b.png", "mandelbrot=s=640x480"), 1, "", 1)
			p := s.plan()
			hold, fade := p.Segments[0], p.Segments[1]
			if hold.Making(p.Encoder) != render.Repeated || fade.Making(p.Encoder) != render.Dissolved {
				t.Fatalf("segments 0 and 1 are not a repeated hold and a dissolved fade: %+v %+v", hold, fade)
			}
			ctx := WithSources(context.Background(), s.job.ImagePaths)
			for _, st := range p.Stills {
				if _, err := k.eng.PrepareStill(ctx, st, s.job.ImagePaths[st.Asset]); err != nil {
					t.Fatal(err)
				}
			}
			enc := EncoderFor(p, 1, 1)
			g := render.Group{Segments: []render.Segment{hold, fade}}
			if _, err := k.eng.EncodeGroup(ctx, g, enc, nil); err != nil {
				t.Fatal(err)
			}
			if n := keyframeRuns(k); n != c.runs {
				t.Errorf("%d keyframes runs for a hold and its fade, want %d", n, c.runs)
			}

			// The hold alone, by its own run, in a second cache with the same stills.
			own, _ := k.alone(ctx, p)
			if _, err := own.EncodeSegment(ctx, hold, enc, nil); err != nil {
				t.Fatal(err)
			}
			shared, alone := segmentBytes(t, k.eng, own, hold.Key)
			if !bytes.Equal(shared, alone) {
				t.Errorf("the hold made with its fade (%d bytes) differs from the hold made alone (%d bytes)", len(shared), len(alone))
			}
		})
	}
}

// TestKeyframeRunsOfAShow: three slides with fades take two keyframes ffmpeg (the two fades
// and the last hold are three x264 encodes, the first two holds take their first frames from
// the fades; on two slots the first two are one batch, keyframesAhead), not the five the
// segments take made one by one, and every segment is the same to the byte.
func TestKeyframeRunsOfAShow(t *testing.T) {
	k := newKit(t)
	k.eng.batchOnly = true // the batches' bytes; one fed x264's are near: TestStillKeyframesFedOnce
	s := k.show("640x480", "standard")
	s.slide(k.picture("a.png", "testsrc=s=640x480"), 1, "", 1)
	s.slide(k.picture("b.png", "mandelbrot=s=640x480"), 1, "", 1)
	s.slide(k.picture("c.png", "testsrc2=s=640x480"), 1, "", 1)
	p := s.plan()
	if len(p.Segments) != 5 {
		t.Fatalf("%d segments, want 3 holds and 2 fades", len(p.Segments))
	}
	s.run(context.Background())
	if n := keyframeRuns(k); n != 2 {
		t.Errorf("%d keyframes runs, want 2 (the 2 fades in one, the last hold)", n)
	}
	if e := k.decodeErrors(s.job.Output); e != "" {
		t.Errorf("decoding the video: %s", e)
	}

	// Every segment is what it is made alone, each by its own run.
	ctx := WithSources(context.Background(), s.job.ImagePaths)
	own, ff := k.alone(ctx, p)
	enc := EncoderFor(p, s.job.Threads, s.job.Parallel)
	for _, sg := range p.Segments {
		if _, err := own.EncodeSegment(ctx, sg, enc, nil); err != nil {
			t.Fatal(err)
		}
		a, b := segmentBytes(t, k.eng, own, sg.Key)
		if !bytes.Equal(a, b) {
			t.Errorf("segment %d (%s) differs from the same segment made alone", sg.Index, sg.Kind)
		}
	}
	for _, u := range ff.Usage().Snapshot() {
		if u.Kind == ffmpeg.KindKeyframes && u.Runs != 5 {
			t.Errorf("made alone, the segments took %d keyframes runs, want 5", u.Runs)
		}
	}
}

// alone returns a second engine, with its own cache and ffmpeg runner, that holds copies of
// the stills of p from the kit's engine.
func (k *kit) alone(ctx context.Context, p *render.Plan) (*Engine, *ffmpeg.Runner) {
	k.t.Helper()
	return k.aloneIn(ctx, p, "own")
}

// aloneIn is alone with its cache in the kit's directory name.
func (k *kit) aloneIn(_ context.Context, p *render.Plan, name string) (*Engine, *ffmpeg.Runner) {
	k.t.Helper()
	log := zaptest.NewLogger(k.t)
	ff := ffmpeg.New("", "", log)
	own := New(ff, filepath.Join(k.dir, name), filepath.Join(k.dir, name+"-tmp"), log)
	for _, st := range p.Stills {
		b, err := os.ReadFile(k.eng.StillPath(st.Key))
		if err != nil {
			k.t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(own.StillPath(st.Key)), 0o755); err != nil {
			k.t.Fatal(err)
		}
		if err := os.WriteFile(own.StillPath(st.Key), b, 0o644); err != nil {
			k.t.Fatal(err)
		}
	}
	return own, ff
}

// segmentBytes reads the segment key from the caches of a and b.
func segmentBytes(t *testing.T, a, b *Engine, key string) ([]byte, []byte) {
	t.Helper()
	x, err := os.ReadFile(a.SegmentPath(key))
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b.SegmentPath(key))
	if err != nil {
		t.Fatal(err)
	}
	return x, y
}
