package motion

import "sync"

// keep is how many frames a Frames keeps: a fade's two stills, its two fed frames and the
// second picture's, with one to spare.
const keep = 6

// Frames keeps frames for reuse. A render's moving segments are drawn one after another, and
// new frames for each (3 to 4 MB at 1080p, the stills a little more) would be garbage that
// the Go heap holds until its next collection: resident memory beside x264's, whose peak
// the summed RSS of a motion render is. A nil *Frames keeps nothing. Safe for concurrent use.
type Frames struct {
	mu   sync.Mutex
	free []*Frame
}

// Get returns a w×h frame, a kept one if there is one: its pixels are whatever they were.
func (fs *Frames) Get(w, h int) *Frame {
	if fs != nil {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		for i, f := range fs.free {
			if f.W == w && f.H == h {
				fs.free = append(fs.free[:i], fs.free[i+1:]...)
				return f
			}
		}
	}
	return NewFrame(w, h)
}

// Put keeps f for a later Get (the oldest kept goes when there are too many). f must no
// longer be used.
func (fs *Frames) Put(f *Frame) {
	if fs == nil || f == nil {
		return
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.free) == keep {
		fs.free = append(fs.free[:0], fs.free[1:]...)
	}
	fs.free = append(fs.free, f)
}
