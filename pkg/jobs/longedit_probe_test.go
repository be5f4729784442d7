package jobs

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/store"

	"github.com/simvid/simvid/pkg/simvid"
)

// TestProbeLongEdit is a measurement, not part of make test (it skips unless
// SIMVID_PROBE_LONG=N is set): N slides of 3 s at 1080p with N*3 s of music, every segment
// in the cache (one of each kind encoded, copied to the others' keys), rendered again
// unchanged and then with the middle picture replaced, by one worker whose coordinator
// encodes every group itself. It prints each render's wall time, the Go and ffmpeg CPU
// seconds, the segments encoded, the render records written and the asset records read;
// the debug log has the render's steps. SIMVID_PROBE_PROF=dir writes a CPU profile of each
// render there. At 300 the music's 225 pieces take most of its minutes.
func TestProbeLongEdit(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("SIMVID_PROBE_LONG"))
	if n == 0 {
		t.Skip("SIMVID_PROBE_LONG unset")
	}
	k := newRenderKit(t, n, 3)
	log := &encodeLog{groups: map[string][]string{}}
	w := k.worker("a", 1, log)
	w.Opts.GroupCost = 0
	w.Opts.RenderTimeout = 10 * time.Minute
	tone := k.music(440, float64(n)*3)
	k.rerender(func(s *simvid.Spec) {
		s.Output = simvid.Output{Resolution: "1920x1080", FPS: 30, Quality: "standard"}
		s.Audio = []simvid.AudioClip{{Asset: tone.ID}}
	})
	plan, groups := k.plan(w)
	t.Logf("%d slides: %d segments, %d stills, %d groups", n, len(plan.Segments), len(plan.Stills), len(groups))
	eng := w.Engine
	ctx := k.ctx
	// Stills: one made, copied.
	r, _ := k.store.GetRender(ctx, k.render.ID)
	_, paths, err := w.gatherInputs(ctx, r, w.assetAsIs)
	if err != nil {
		t.Fatal(err)
	}
	first, err := eng.PrepareStill(ctx, plan.Stills[0], paths.images[plan.Stills[0].Asset])
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range plan.Stills[1:] {
		copyFile(t, first, eng.StillPath(st.Key))
	}
	made := map[string]string{}
	enc := plan.Encoder
	enc.Threads = 2
	for _, sg := range plan.Segments {
		class := fmt.Sprint(sg.Kind, sg.Frames, sg.Making(enc), sg.Transition)
		if src, ok := made[class]; ok {
			if _, err := os.Stat(eng.SegmentPath(sg.Key)); err != nil {
				copyFile(t, src, eng.SegmentPath(sg.Key))
			}
			continue
		}
		if _, err := eng.EncodeSegment(ctx, sg, enc, nil); err != nil {
			t.Fatal(err)
		}
		made[class] = eng.SegmentPath(sg.Key)
	}
	t0 := time.Now()
	if _, err := eng.PrepareAudio(ctx, plan.Audio, paths.audio[tone.ID], 0); err != nil {
		t.Fatal(err)
	}
	t.Logf("cache filled (%d classes), music %.1f s", len(made), time.Since(t0).Seconds())
	// The same spec again: every segment cached, only the join.
	for i, name := range []string{"warm", "edit"} {
		if i == 1 {
			swap := k.picture(k.render.ProjectID, "0xfedcba")
			k.rerender(func(s *simvid.Spec) { s.Slides[n/2].Asset = swap.ID })
		} else {
			k.rerender(func(*simvid.Spec) {})
		}
		writes := &renderWrites{Store: k.store}
		w.Store = writes
		var f io.Writer
		if dir := os.Getenv("SIMVID_PROBE_PROF"); dir != "" {
			pf, err := os.Create(filepath.Join(dir, name+".pprof"))
			if err != nil {
				t.Fatal(err)
			}
			defer pf.Close()
			f = pf
			_ = pprof.StartCPUProfile(f)
		}
		before := log.segments
		var ru0, ru1, rc0, rc1 syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
		_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &rc0)
		start := time.Now()
		if err := w.renderJob(renderArgs(k.render.ID)); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
		_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &rc1)
		child := time.Duration(rc1.Utime.Nano() + rc1.Stime.Nano() - rc0.Utime.Nano() - rc0.Stime.Nano())
		if f != nil {
			pprof.StopCPUProfile()
		}
		w.Store = k.store
		cpu := time.Duration(ru1.Utime.Nano()+ru1.Stime.Nano()-ru0.Utime.Nano()-ru0.Stime.Nano()) * time.Nanosecond
		t.Logf("%s: %.3f s wall, %.3f s Go CPU, %.3f s ffmpeg CPU, %d segments encoded, %d render writes, %d asset reads",
			name, took.Seconds(), cpu.Seconds(), child.Seconds(), log.segments-before, writes.updates.Load(), writes.reads.Load())
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	_ = os.MkdirAll(filepath.Dir(dst), 0o755)
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// renderWrites counts a worker's writes of render records and reads of asset records.
type renderWrites struct {
	store.Store
	updates, reads atomic.Int64
}

func (s *renderWrites) UpdateRender(ctx context.Context, id string, fn func(*simvid.Render) error) (*simvid.Render, error) {
	s.updates.Add(1)
	return s.Store.UpdateRender(ctx, id, fn)
}

func (s *renderWrites) GetAsset(ctx context.Context, id string) (*simvid.Asset, error) {
	s.reads.Add(1)
	return s.Store.GetAsset(ctx, id)
}
