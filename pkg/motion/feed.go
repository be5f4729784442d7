package motion

import (
	"io"
	"sync"
)

// DrawFunc draws the luma rows [lo, hi) of frame k into dst (and the chroma rows under
// them: DrawRows, FadeRows). Feed calls it for each band of rows on its own goroutine:
// band says which, so that each band can keep its own Sampler.
type DrawFunc func(k int64, dst *Frame, band, lo, hi int)

// Ahead is how many frames a Feeder draws ahead of the one being written. x264 takes its
// frames unevenly (its look-ahead and frame threads take a few at once, then encode), and
// a fade's frame costs two moving frames' drawing: with one frame ahead, the encoder waited
// for the drawing at every such burst. Each is a frame of memory (3 MB at 1080p) beside
// x264's 235 MB, in a motion render's summed peak of at most 300 MB.
const Ahead = 3

// Feeder writes frames of size w×h to out as rawvideo yuv420p, drawn ahead of the writes
// on the caller's goroutines (Feed) while a goroutine of its own writes them: x264 encodes
// while the next frames are drawn, rather than waiting for them, and the drawing takes the
// cores x264 leaves idle. One Feeder carries on from one Feed to the next, so a run of
// segments fed to one ffmpeg is drawn ahead across the segments' joins too. It keeps
// Ahead+1 frames, from fs (given back by Close); nothing is allocated per frame.
type Feeder struct {
	out     io.Writer
	fs      *Frames
	h       int
	free    chan *Frame // written, to draw again
	full    chan *Frame // drawn, to write
	failed  chan struct{}
	err     error // the failed write's, set before failed is closed
	written chan struct{}
}

// NewFeeder returns a Feeder of w×h frames writing to out. Close it.
func NewFeeder(out io.Writer, fs *Frames, w, h int) *Feeder {
	f := &Feeder{out: out, fs: fs, h: h, free: make(chan *Frame, Ahead+1), full: make(chan *Frame, Ahead+1),
		failed: make(chan struct{}), written: make(chan struct{})}
	for range Ahead + 1 {
		f.free <- fs.Get(w, h)
	}
	go f.write()
	return f
}

func (f *Feeder) write() {
	defer close(f.written)
	for fr := range f.full {
		if f.err == nil {
			if _, err := f.out.Write(fr.Bytes()); err != nil {
				f.err = err
				close(f.failed)
			}
		}
		f.free <- fr
	}
}

// Feed draws n frames with draw, in bands of rows on bands goroutines at once, and queues
// them for writing. It returns once the last is queued (not written: Close), or as soon as
// a write failed, with that write's error: ffmpeg has stopped, and nobody would see the
// rest. draw may use what it was given until Feed returns, not after.
func (f *Feeder) Feed(n int64, bands int, draw DrawFunc) error {
	h := f.h
	bands = max(1, min(bands, h/2))
	bounds := make([]int, bands+1)
	for b := range bands {
		bounds[b] = b * h / bands &^ 1 // even: bands share no chroma row
	}
	bounds[bands] = h
	type job struct {
		k   int64
		dst *Frame
	}
	var wg sync.WaitGroup
	starts := make([]chan job, bands)
	for b := 1; b < bands; b++ {
		starts[b] = make(chan job)
		go func() {
			for j := range starts[b] {
				draw(j.k, j.dst, b, bounds[b], bounds[b+1])
				wg.Done()
			}
		}()
	}
	defer func() {
		for _, c := range starts[1:] {
			close(c)
		}
	}()
	for k := int64(0); k < n; k++ {
		select {
		case <-f.failed:
			return f.err
		default:
		}
		dst := <-f.free // the writer gives every frame back, failed or not
		wg.Add(bands - 1)
		for b := 1; b < bands; b++ {
			starts[b] <- job{k, dst}
		}
		draw(k, dst, 0, bounds[0], bounds[1])
		wg.Wait()
		f.full <- dst
	}
	return nil
}

// Close waits until every queued frame is written (or a write failed), gives the frames
// back to fs, and returns the failed write's error. The Feeder is not used after.
func (f *Feeder) Close() error {
	close(f.full)
	<-f.written
	for range Ahead + 1 {
		f.fs.Put(<-f.free)
	}
	return f.err
}

// Feed writes frames 0 to n-1 of size w×h to out as rawvideo yuv420p, drawn by draw in
// bands of rows on bands goroutines at once, ahead of the writes (a Feeder for one feed).
// A failed write stops the drawing and is returned.
func Feed(out io.Writer, fs *Frames, w, h int, n int64, bands int, draw DrawFunc) error {
	f := NewFeeder(out, fs, w, h)
	err := f.Feed(n, bands, draw)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
