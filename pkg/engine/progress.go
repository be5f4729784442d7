package engine

import (
	"sync"
	"time"

	"github.com/simvid/simvid/pkg/render"
)

// reportEvery bounds how often progress is reported while frames come in.
const reportEvery = 250 * time.Millisecond

// tracker adds up the frames of a plan's segments and reports them, in order, at most four
// times a second (and at once when the stage changes). A segment that appears twice in a plan
// (the same picture held as long twice) is encoded once and counts twice.
type tracker struct {
	mu     sync.Mutex
	fn     func(Progress)
	total  int64
	stage  string
	segs   map[string]*segState
	order  []render.Segment
	sent   Progress
	sentAt time.Time
	quit   chan struct{}
	closed sync.Once
}

type segState struct {
	frames, done int64 // segment length, frames done
	count        int   // times it appears in the plan
	cached       bool
}

func newTracker(p *render.Plan, fn func(Progress)) *tracker {
	t := &tracker{fn: fn, total: p.Frames, segs: map[string]*segState{}, quit: make(chan struct{})}
	for _, sg := range p.Segments {
		if s, ok := t.segs[sg.Key]; ok {
			s.count++
			continue
		}
		t.segs[sg.Key] = &segState{frames: sg.Frames, count: 1}
		t.order = append(t.order, sg)
	}
	if fn != nil {
		go t.tick()
	}
	return t
}

// unique returns the plan's segments with duplicates left out.
func (t *tracker) unique() []render.Segment { return t.order }

func (t *tracker) tick() {
	tk := time.NewTicker(reportEvery / 5)
	defer tk.Stop()
	for {
		select {
		case <-t.quit:
			return
		case <-tk.C:
			t.mu.Lock()
			t.emit(false)
			t.mu.Unlock()
		}
	}
}

func (t *tracker) stop() { t.closed.Do(func() { close(t.quit) }) }

func (t *tracker) setStage(stage string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stage = stage
	t.emit(true)
}

// frames records ffmpeg's count of frames written for a segment.
func (t *tracker) frames(key string, n int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.segs[key]
	s.done = max(s.done, min(n, s.frames))
}

func (t *tracker) finished(key string, cached bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.segs[key]
	s.done, s.cached = s.frames, cached
}

func (t *tracker) cachedSegments() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, s := range t.segs {
		if s.cached {
			n += s.count
		}
	}
	return n
}

// emit reports when something changed (or always when forced); t.mu is held.
func (t *tracker) emit(force bool) {
	if t.fn == nil {
		return
	}
	var done int64
	for _, s := range t.segs {
		done += s.done * int64(s.count)
	}
	p := Progress{Stage: t.stage, FramesDone: max(done, t.sent.FramesDone), FramesTotal: t.total}
	if p.Stage == StageFinalizing {
		p.FramesDone = t.total
	}
	if !force && (p == t.sent || time.Since(t.sentAt) < reportEvery) {
		return
	}
	t.sent, t.sentAt = p, time.Now()
	t.fn(p)
}
