package motion

import (
	"io"
	"sync"
)

// DrawFunc draws the luma rows [lo, hi) of frame k into dst (and the chroma rows under
// them: DrawRows, FadeRows). Feed calls it for each band of rows on its own goroutine:
// band says which, so that each band can keep its own Sampler.
type DrawFunc func(k int64, dst *Frame, band, lo, hi int)

// Feed writes frames 0 to n-1 of size w×h to out as rawvideo yuv420p, drawn by draw in
// bands of rows on bands goroutines at once. Frame k+1 is drawn while frame k is written:
// x264 encodes one frame while the next is drawn, rather than waiting for it, and the
// drawing takes the cores x264 leaves idle. Two frames are kept, nothing is allocated per
// frame; the two come from fs and go back to it. A failed write stops the drawing and is
// returned.
func Feed(out io.Writer, fs *Frames, w, h int, n int64, bands int, draw DrawFunc) error {
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

	free := make(chan *Frame, 2)
	free <- fs.Get(w, h)
	free <- fs.Get(w, h)
	full := make(chan *Frame, 2)
	failed := make(chan struct{})
	written := make(chan error, 1)
	go func() {
		var err error
		for fr := range full {
			if err == nil {
				if _, err = out.Write(fr.Bytes()); err != nil {
					close(failed)
				}
			}
			free <- fr
		}
		written <- err
	}()

	for k := int64(0); k < n; k++ {
		select {
		case <-failed:
			k = n // ffmpeg has stopped: no more frames
			continue
		default:
		}
		dst := <-free // the writer gives every frame back, failed or not
		wg.Add(bands - 1)
		for b := 1; b < bands; b++ {
			starts[b] <- job{k, dst}
		}
		draw(k, dst, 0, bounds[0], bounds[1])
		wg.Wait()
		full <- dst
	}
	close(full)
	err := <-written
	fs.Put(<-free) // the writer has given both back
	fs.Put(<-free)
	return err
}
