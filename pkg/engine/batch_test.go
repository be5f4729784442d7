package engine

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/render"
)

// batchShow is n slides of distinct generated pictures at 640x480 with fades, its stills
// prepared, and the context that finds its pictures.
func batchShow(k *kit, n int) (*slideshow, *render.Plan, context.Context) {
	k.t.Helper()
	graphs := []string{"testsrc=s=640x480", "mandelbrot=s=640x480", "testsrc2=s=640x480", "smptebars=s=640x480", "rgbtestsrc=s=640x480"}
	s := k.show("640x480", "standard")
	for i := range n {
		s.slide(k.picture(strings.Split(graphs[i], "=")[0]+".png", graphs[i]), 1, "", 1)
	}
	p := s.plan()
	ctx := WithSources(context.Background(), s.job.ImagePaths)
	for _, st := range p.Stills {
		if _, err := k.eng.PrepareStill(ctx, st, s.job.ImagePaths[st.Asset]); err != nil {
			k.t.Fatal(err)
		}
	}
	return s, p, ctx
}

// wholeGroup is every distinct segment of p as one group, as a segment job gets it.
func wholeGroup(p *render.Plan) render.Group {
	gs := p.Groups(1e9)
	return gs[0]
}

// TestGroupKeyframesInOneFFmpeg: a group of four slides with fades (three fades and a last
// hold to encode, the first three holds taking their first frames from the fades) starts
// one keyframes ffmpeg instead of four, and every segment is the same to the byte as the
// segment made by its own run. Within a smaller memory budget the batch is cut in two; a
// segment in the cache does not go in, and a hold whose fade is cached gets its own output.
// (The standard quality's runs go to one fed x264 first: TestStillKeyframesFedOnce.)
func TestGroupKeyframesInOneFFmpeg(t *testing.T) {
	k := newKit(t)
	k.eng.batchOnly = true
	_, p, ctx := batchShow(k, 4)
	g := wholeGroup(p)
	enc := EncoderFor(p, 1, 1)
	if len(g.Segments) != 7 {
		t.Fatalf("%d segments in the group, want 4 holds and 3 fades", len(g.Segments))
	}
	if _, err := k.eng.EncodeGroup(ctx, g, enc, nil); err != nil {
		t.Fatal(err)
	}
	if n := keyframeRuns(k); n != 1 {
		t.Errorf("%d keyframes runs for the group, want 1 (its 4 x264 encodes in one ffmpeg)", n)
	}
	own, _ := k.alone(ctx, p)
	for _, sg := range g.Segments {
		if _, err := own.EncodeSegment(ctx, sg, enc, nil); err != nil {
			t.Fatal(err)
		}
		a, b := segmentBytes(t, k.eng, own, sg.Key)
		if !bytes.Equal(a, b) {
			t.Errorf("segment %d (%s) made in the batch differs from the same segment made alone", sg.Index, sg.Kind)
		}
	}

	// Two fades' outputs at 640x480 and no more: two batches.
	two, ff := k.aloneIn(ctx, p, "two")
	two.batchMem, two.batchOnly = batchBase+2*fadeBytesPerPixel*640*480, true
	if _, err := two.EncodeGroup(ctx, g, enc, nil); err != nil {
		t.Fatal(err)
	}
	if n := kindRuns(ff, ffmpeg.KindKeyframes); n != 2 {
		t.Errorf("%d keyframes runs within two fades' memory, want 2", n)
	}
	for _, sg := range g.Segments {
		a, b := segmentBytes(t, k.eng, two, sg.Key)
		if !bytes.Equal(a, b) {
			t.Errorf("segment %d (%s) made in a batch of two differs from the same segment made alone", sg.Index, sg.Kind)
		}
	}

	// With the second fade cached, the batch holds the other two fades, the hold that
	// started it (made alone now) and the last hold.
	part, _ := k.aloneIn(ctx, p, "part")
	fade := g.Segments[3]
	if fade.Kind != render.KindTransition || g.Segments[2].Stills[0] != fade.Stills[0] {
		t.Fatalf("segment 3 is not the fade after hold 2: %+v", fade)
	}
	b, err := os.ReadFile(k.eng.SegmentPath(fade.Key))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(part.SegmentPath(fade.Key)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(part.SegmentPath(fade.Key), b, 0o644); err != nil {
		t.Fatal(err)
	}
	runs, err := part.keyframeRuns(ctx, render.FirstFrameUnits(g.Segments, enc), enc)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, r := range runs {
		got = append(got, r.seg.Index)
	}
	if want := []int{1, 2, 5, 6}; !slices.Equal(got, want) {
		t.Errorf("batched segments %v, want %v (not the cached fade 3; hold 2 for itself)", got, want)
	}
}

// TestBatchFailureNamesTheSlide: when one input of a batch cannot be read, the group's error
// still names the slide whose segment failed, as the segment's own run says it (the fed run
// and the batch fail, then the segments run alone up to the one that fails).
func TestBatchFailureNamesTheSlide(t *testing.T) {
	k := newKit(t)
	_, p, ctx := batchShow(k, 3)
	g := wholeGroup(p)
	enc := EncoderFor(p, 1, 1)
	last := p.Stills[p.Slides[2].Still].Key
	// A header with its size (the batch takes it) and a pixel format ffmpeg does not know.
	if err := os.WriteFile(k.eng.StillPath(last), []byte("YUV4MPEG2 W640 H480 F30:1 Ip A1:1 Cbogus\nFRAME\nshort"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := k.eng.EncodeGroup(ctx, g, enc, nil)
	if err == nil {
		t.Fatal("no error for a group with a broken still")
	}
	if !strings.Contains(err.Error(), "slide 2") {
		t.Errorf("error %q does not name slide 2, whose fade to slide 3 reads the broken still", err)
	}
	if n := keyframeRuns(k); n != 4 {
		t.Errorf("%d keyframes runs, want 4: the fed run, the batch, then the first fade and the failing one alone", n)
	}
	// The first fade and its hold, made alone after the batch failed, are in the cache.
	for _, sg := range g.Segments[:2] {
		if _, err := os.Stat(k.eng.SegmentPath(sg.Key)); err != nil {
			t.Errorf("segment %d was not made before the failing one: %v", sg.Index, err)
		}
	}
}

// TestBatchCancel: cancelling a group while its batch runs (several raw outputs open at once)
// stops the one ffmpeg, makes no segment, starts no run alone after it and leaves no raw
// stream behind.
func TestBatchCancel(t *testing.T) {
	k := newKit(t)
	k.eng.batchOnly = true
	_, p, sctx := batchShow(k, 4)
	g := wholeGroup(p)
	enc := EncoderFor(p, 1, 1)
	ctx, cancel := context.WithCancel(sctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := k.eng.EncodeGroup(ctx, g, enc, nil)
		done <- err
	}()
	tmp := filepath.Join(k.dir, "tmp")
	seen := 0
	deadline := time.Now().Add(30 * time.Second)
	for seen < 2 && time.Now().Before(deadline) {
		raws, _ := filepath.Glob(filepath.Join(tmp, "*.h264"))
		seen = len(raws)
		select {
		case err := <-done:
			t.Fatalf("the group ended before its batch was seen running (%d raw outputs): %v", seen, err)
		case <-time.After(2 * time.Millisecond):
		}
	}
	if seen < 2 {
		t.Fatal("never saw two raw outputs open at once: no batch ran")
	}
	cancelledCleanly(t, k, g, tmp, done, cancel, "batch")
}

// cancelledCleanly cancels a group's EncodeGroup (its result on done) and checks that it
// returns context.Canceled within 10 s after one keyframes run (what: "fed run", "batch"),
// with no segment of g made and nothing left in tmp.
func cancelledCleanly(t *testing.T, k *kit, g render.Group, tmp string, done <-chan error, cancel context.CancelFunc, what string) {
	t.Helper()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled in the chain", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("EncodeGroup did not return within 10 s of the cancel")
	}
	if n := keyframeRuns(k); n != 1 {
		t.Errorf("%d keyframes runs, want the one %s", n, what)
	}
	for _, sg := range g.Segments {
		if _, err := os.Stat(k.eng.SegmentPath(sg.Key)); err == nil {
			t.Errorf("segment %d was made after the cancel", sg.Index)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// kindRuns is how many runs of kind ff has started.
func kindRuns(ff *ffmpeg.Runner, kind ffmpeg.Kind) int64 {
	for _, u := range ff.Usage().Snapshot() {
		if u.Kind == kind {
			return u.Runs
		}
	}
	return 0
}

// TestBatchOfMemory: the default budget takes three 720p fades a batch, and keeps two 1080p
// fades apart (155 MB: two such batches at once would take the cold render's summed peak
// over 300 MB); a hold and a fade at 1080p do not fit either.
func TestBatchOfMemory(t *testing.T) {
	fade := keyframeRun{seg: render.Segment{Stills: []string{"a", "b"}}}
	hold := keyframeRun{seg: render.Segment{Stills: []string{"a"}}}
	sized := func(r keyframeRun, w, h, n int) []keyframeRun {
		r.w, r.h = w, h
		return slices.Repeat([]keyframeRun{r}, n)
	}
	for _, c := range []struct {
		name string
		runs []keyframeRun
		want int
	}{
		{"720p fades", sized(fade, 1280, 720, 5), 3},
		{"1080p fades", sized(fade, 1920, 1080, 3), 1},
		{"1080p fade and hold", append(sized(fade, 1920, 1080, 1), sized(hold, 1920, 1080, 1)...), 1},
		{"480p fades", sized(fade, 854, 480, 12), 7},
	} {
		if got := batchOf(c.runs, batchMemory); got != c.want {
			t.Errorf("%s: %d a batch, want %d", c.name, got, c.want)
		}
	}
}
