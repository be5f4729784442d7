package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"
	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/engine"
	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/testutil"
)

// newFedKit is a render kit of n slides of 1 s, each a different test pattern, with 0.5 s
// fades, at the standard quality: every hold and fade is made in the bitstream from
// keyframes one fed x264 encodes (render.FedKeyframes).
func newFedKit(t *testing.T, n int) *renderKit {
	t.Helper()
	k := newRenderKit(t, 0, 1)
	patterns := []string{"testsrc", "mandelbrot", "testsrc2", "smptebars", "rgbtestsrc", "smptehdbars", "yuvtestsrc"}
	spec := k.render.Spec
	for i := range n {
		png := filepath.Join(t.TempDir(), "p.png")
		graph := fmt.Sprintf("%s=s=320x240", patterns[i%len(patterns)])
		if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", graph, "-frames:v", "1", png).CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg %s: %v %s", graph, err, out)
		}
		b, err := os.ReadFile(png)
		if err != nil {
			t.Fatal(err)
		}
		a := k.pictureFrom(k.render.ProjectID, fmt.Sprintf("sha-%s-%d", graph, i), b, 320, 240)
		spec.Slides = append(spec.Slides, simvid.Slide{Asset: a.ID, Duration: 1})
	}
	spec.Output.Quality = "standard"
	k.setSpec(spec)
	return k
}

// fedGroups plans the kit's render and checks that its groups are several and all fed.
func (k *renderKit) fedGroups(w *Worker, least int) (*render.Plan, []render.Group) {
	k.t.Helper()
	plan, groups := k.plan(w)
	enc := engine.EncoderFor(plan, w.Opts.Threads, w.videoSlots)
	if len(groups) < least {
		k.t.Fatalf("%d groups: the test needs %d or more", len(groups), least)
	}
	for _, g := range groups {
		if !fedGroup(g, enc) {
			k.t.Fatalf("group %d is not made by a fed keyframes run", g.Index)
		}
	}
	return plan, groups
}

// keyframesRuns is how many keyframes ffmpeg the kit's workers have started.
func (k *renderKit) keyframesRuns() int64 {
	for _, u := range k.ff.Usage().Snapshot() {
		if u.Kind == ffmpeg.KindKeyframes {
			return u.Runs
		}
	}
	return 0
}

// TestClaimAheadFewerKeyframesRuns: one worker renders a show cut into several groups, all
// made in the bitstream. Its coordinator claims later groups with its own (a half of the
// work, then a quarter, then the rest), so the render starts at most three keyframes
// ffmpeg, not one a group; every group is encoded once, and every frame of the video is
// what the groups encoded one by one make (SSIM 0.99 or more).
func TestClaimAheadFewerKeyframesRuns(t *testing.T) {
	k := newFedKit(t, 7)
	log := &encodeLog{groups: map[string][]string{}}
	w := k.worker("a", 1, log)
	plan, groups := k.fedGroups(w, 5)
	if err := w.renderJob(renderArgs(k.render.ID)); err != nil {
		t.Fatal(err)
	}
	k.checkOutput(plan)
	if n := k.keyframesRuns(); n > 3 {
		t.Errorf("%d keyframes runs for %d groups, want 3 or fewer", n, len(groups))
	}
	t.Logf("%d groups, %d keyframes runs", len(groups), k.keyframesRuns())
	for _, g := range groups {
		if n := len(log.groups[g.Key]); n != 1 {
			t.Errorf("group %d encoded %d times", g.Index, n)
		}
	}

	// The same groups, each encoded alone (as before) in a cache of their own.
	dir := t.TempDir()
	zl := zaptest.NewLogger(t)
	eng := engine.New(ffmpeg.New("", "", zl), filepath.Join(dir, "cache"), filepath.Join(dir, "tmp"), zl)
	r, err := k.store.GetRender(k.ctx, k.render.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, paths, err := w.gatherInputs(k.ctx, r, w.assetAsIs)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range plan.Stills {
		if _, err := eng.PrepareStill(k.ctx, st, paths.images[st.Asset]); err != nil {
			t.Fatal(err)
		}
	}
	enc := engine.EncoderFor(plan, w.Opts.Threads, w.videoSlots)
	for _, g := range groups {
		if _, err := eng.EncodeGroup(k.ctx, g, enc, nil); err != nil {
			t.Fatal(err)
		}
	}
	alone := filepath.Join(dir, "alone.mp4")
	if _, err := eng.Assemble(k.ctx, plan, "", alone); err != nil {
		t.Fatal(err)
	}
	out, _ := k.media.RenderVideo(r.ProjectID, r.ID)
	ssim := testutil.FramesSSIM(t, out, alone)
	if int64(len(ssim)) != plan.Frames {
		t.Errorf("%d frames compared, want %d", len(ssim), plan.Frames)
	}
	for i, v := range ssim {
		if v < 0.99 {
			t.Errorf("frame %d: SSIM %.4f against the groups encoded alone, want >= 0.99", i, v)
		}
	}
}

// TestClaimAheadAcrossWorkers: two workers (two processes, an engine and a keyframes slot
// each) sharing Redis and the data directory take every group's job twice over,
// each claiming groups ahead of its own. No group's keyframes are made twice (every group encoded by one worker,
// once; the segments encoded are the plan's distinct segments), none is lost (every group in
// the fan-in), fewer keyframes runs start than there are groups, and the coordinator then
// finds every group done and joins them into the planned video.
func TestClaimAheadAcrossWorkers(t *testing.T) {
	k := newFedKit(t, 7)
	log := &encodeLog{groups: map[string][]string{}}
	a, b := k.worker("a", 1, log), k.worker("b", 1, log)
	plan, groups := k.fedGroups(a, 5)
	id := k.render.ID
	if err := publishGroups(k.ctx, k.pool, id, groups); err != nil { // as the coordinator does
		t.Fatal(err)
	}
	// The stills are the coordinator's to prepare before it queues the groups.
	r, _ := k.store.GetRender(k.ctx, id)
	_, paths, err := a.gatherInputs(k.ctx, r, a.assetAsIs)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range plan.Stills {
		if _, err := a.Engine.PrepareStill(k.ctx, st, paths.images[st.Asset]); err != nil {
			t.Fatal(err)
		}
	}
	queue := make(chan render.Group, 2*len(groups)) // every job twice, as a retry would
	for range 2 {
		for _, g := range groups {
			queue <- g
		}
	}
	close(queue)
	var wg sync.WaitGroup
	for _, w := range []*Worker{a, b} { // one video slot each: a job at a time
		wg.Add(1)
		go func() {
			defer wg.Done()
			for g := range queue {
				if err := w.segmentJob(segmentArgs(id, g)); err != nil {
					t.Errorf("group %d: %v", g.Index, err)
				}
			}
		}()
	}
	wg.Wait()
	for _, g := range groups {
		if n := len(log.groups[g.Key]); n != 1 {
			t.Errorf("group %d encoded %d times (%v)", g.Index, n, log.groups[g.Key])
		}
	}
	distinct := 0
	for _, g := range groups {
		distinct += len(g.Segments)
	}
	if log.segments != distinct {
		t.Errorf("%d segments encoded, want the plan's %d distinct ones, each once", log.segments, distinct)
	}
	conn := k.pool.Get()
	done, err := redis.Strings(conn.Do("SMEMBERS", doneKey(id)))
	conn.Close()
	if err != nil || len(done) != len(groups) {
		t.Errorf("fan-in holds %d groups (%v), want %d", len(done), err, len(groups))
	}
	if n := k.keyframesRuns(); n >= int64(len(groups)) {
		t.Errorf("%d keyframes runs for %d groups, want fewer", n, len(groups))
	}
	t.Logf("%d groups, %d keyframes runs, by worker: %v", len(groups), k.keyframesRuns(), log.groups)
	encoded := len(log.groups)
	if err := a.renderJob(renderArgs(id)); err != nil {
		t.Fatal(err)
	}
	k.checkOutput(plan)
	if len(log.groups) != encoded {
		t.Errorf("the coordinator encoded %d more groups although all were done", len(log.groups)-encoded)
	}
}

// TestClaimAheadConcurrentClaims: jobs for every group of a render on four workers claim
// ahead at once (no encoding): no group is claimed twice, a group is claimed ahead only while
// it was free, and every group ends up claimed by someone.
func TestClaimAheadConcurrentClaims(t *testing.T) {
	k := newFedKit(t, 7)
	log := &encodeLog{groups: map[string][]string{}}
	ws := []*Worker{k.worker("a", 1, log), k.worker("b", 1, log), k.worker("c", 1, log), k.worker("d", 1, log)}
	plan, groups := k.fedGroups(ws[0], 5)
	enc := engine.EncoderFor(plan, 1, 1)
	var mu sync.Mutex
	owner := map[string][]string{}
	var wg sync.WaitGroup
	for _, g := range groups {
		for _, w := range ws {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l, err := w.claimGroup(k.ctx, k.render.ID, g)
				if err != nil || l == nil {
					return
				}
				got := []render.Group{g}
				for _, c := range w.claimAhead(k.ctx, k.render.ID, g, groups, enc) {
					got = append(got, c.group)
				}
				mu.Lock()
				for _, gr := range got {
					owner[gr.Key] = append(owner[gr.Key], w.id)
				}
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	for _, g := range groups {
		if len(owner[g.Key]) != 1 {
			t.Errorf("group %d claimed by %v, want exactly one worker", g.Index, owner[g.Key])
		}
	}
}

// TestClaimAheadCancel: cancelling a group job while its keyframes run makes the keyframes of
// the groups it claimed ahead stops the run, makes no segment of any of them, records none
// done and releases every claim, so that a render afterwards makes them all.
func TestClaimAheadCancel(t *testing.T) {
	k := newFedKit(t, 7)
	log := &encodeLog{groups: map[string][]string{}}
	w := k.worker("a", 1, log)
	plan, groups := k.fedGroups(w, 5)
	id := k.render.ID
	r, _ := k.store.GetRender(k.ctx, id)
	_, paths, err := w.gatherInputs(k.ctx, r, w.assetAsIs)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range plan.Stills {
		if _, err := w.Engine.PrepareStill(k.ctx, st, paths.images[st.Asset]); err != nil {
			t.Fatal(err)
		}
	}
	l, err := w.claimGroup(k.ctx, id, groups[0])
	if err != nil || l == nil {
		t.Fatalf("claim: %v", err)
	}
	ctx, cancel := context.WithCancel(engine.WithSources(k.ctx, paths.images))
	defer cancel()
	ended := make(chan error, 1)
	go func() {
		_, err := w.encodeClaimed(ctx, l, id, groups[0], engine.EncoderFor(plan, 1, 1), groups, nil)
		ended <- err
	}()
	tmp := k.media.TmpDir()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if raws, _ := filepath.Glob(filepath.Join(tmp, "keyframes-fed-*.h264")); len(raws) > 0 {
			break
		}
		select {
		case err := <-ended:
			t.Fatalf("the job ended before its fed run was seen: %v", err)
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("never saw the fed run")
		}
	}
	held, _ := freeGroups(k.ctx, k.pool, id, groups[1:])
	if len(held) == len(groups)-1 {
		t.Fatal("no group was claimed ahead: the test checks nothing")
	}
	cancel()
	select {
	case err := <-ended:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled in the chain", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the job did not end within 10 s of the cancel")
	}
	for _, g := range groups {
		for _, sg := range g.Segments {
			if w.Engine.SegmentStored(k.ctx, sg) {
				t.Errorf("segment %d of group %d made after the cancel", sg.Index, g.Index)
			}
		}
	}
	if free, err := freeGroups(k.ctx, k.pool, id, groups); err != nil || len(free) != len(groups) {
		t.Errorf("%d of %d groups free after the cancel (%v): a claim was kept or a group recorded done", len(free), len(groups), err)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	if err := w.renderJob(renderArgs(id)); err != nil {
		t.Fatal(err)
	}
	k.checkOutput(plan)
}
