package motion

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"
)

// drawBefore and fadeBefore are Draw and Fade as they were before frames were drawn in
// bands (whole frames, one goroutine): the frames fed now must be these, byte for byte.
func drawBefore(s *Sampler, dst *Frame, win Window) {
	src := s.src
	planeBefore(s, dst.Y, dst.W, dst.H, src.Y, src.W, src.H, win.X, win.Y, win.W, win.H)
	cw, ch := (dst.W+1)/2, (dst.H+1)/2
	sw, sh := (src.W+1)/2, (src.H+1)/2
	planeBefore(s, dst.U, cw, ch, src.U, sw, sh, win.X/2, win.Y/2, win.W/2, win.H/2)
	planeBefore(s, dst.V, cw, ch, src.V, sw, sh, win.X/2, win.Y/2, win.W/2, win.H/2)
}

func planeBefore(s *Sampler, dst []byte, dw, dh int, src []byte, sw, sh int, x0, y0, w, h float64) {
	col := make([]uint32, dw)
	lo, _ := tap(0, dw, sw, x0, w)
	last, _ := tap(dw-1, dw, sw, x0, w)
	hi := min(last+1, sw-1)
	for i := range col {
		a, f := tap(i, dw, sw, x0, w)
		col[i] = uint32(a-lo)<<9 | f
	}
	tmp := make([]byte, hi-lo+1+8)
	for j := 0; j < dh; j++ {
		r, fy := tap(j, dh, sh, y0, h)
		r1 := min(r+1, sh-1)
		blendRows(tmp, src[r*sw+lo:r*sw+hi+1], src[r1*sw+lo:r1*sw+hi+1], fy)
		for i, c := range col {
			v := uint32(binary.LittleEndian.Uint16(tmp[c>>9:]))
			f := c & 0x1ff
			dst[j*dw+i] = byte(((v&0xff)*(256-f) + (v>>8)*f + 128) >> 8)
		}
	}
}

func fadeBefore(dst, a, b *Frame, k, n int64) {
	f := uint32((k*256 + n/2) / max(1, n))
	blendRows(dst.Bytes(), a.Bytes(), b.Bytes(), min(f, 256))
}

// noise is a still of w×h with every sample different from its neighbours.
func noise(w, h int) *Frame {
	f := NewFrame(w, h)
	x := uint32(1)
	for i := range f.Bytes() {
		x = x*1664525 + 1013904223
		f.Bytes()[i] = byte(x >> 24)
	}
	return f
}

func zoom(k, n int64, src *Frame) Window {
	t := float64(k) / float64(n)
	return Window{X: 0.3 + 5.1*t, Y: 0.7 + 2.9*t, W: float64(src.W) - 11.3*t - 1, H: float64(src.H) - 6.1*t - 1.5}
}

// Frames fed in bands of rows on several goroutines, for a moving window and for a fade
// between two, are the frames drawn whole as before, byte for byte: odd sizes (a chroma row
// under a single luma row), more bands than cores, and as many bands as row pairs.
func TestFeedIsTheWholeFrameDrawing(t *testing.T) {
	t.Parallel()
	a, b := noise(71, 45), noise(64, 39)
	const w, h, n = 37, 23, 9
	var want bytes.Buffer
	sa, sb := NewSampler(a), NewSampler(b)
	fr, second := NewFrame(w, h), NewFrame(w, h)
	for k := int64(0); k < n; k++ {
		drawBefore(sa, fr, zoom(k, n, a))
		drawBefore(sb, second, zoom(n-k, n, b))
		fadeBefore(fr, fr, second, k, n)
		want.Write(fr.Bytes())
	}
	for _, bands := range []int{1, 2, 3, 4, 11, 40} {
		s := [2][]*Sampler{make([]*Sampler, bands), make([]*Sampler, bands)}
		for i := range bands {
			s[0][i], s[1][i] = NewSampler(a), NewSampler(b)
		}
		second := NewFrame(w, h)
		var got bytes.Buffer
		err := Feed(&got, nil, w, h, n, bands, func(k int64, dst *Frame, band, lo, hi int) {
			s[0][band].DrawRows(dst, zoom(k, n, a), lo, hi)
			s[1][band].DrawRows(second, zoom(n-k, n, b), lo, hi)
			FadeRows(dst, dst, second, k, n, lo, hi)
		})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			for i := range want.Bytes() {
				if got.Bytes()[i] != want.Bytes()[i] {
					t.Fatalf("%d bands: frame %d, byte %d differs", bands, i/len(fr.Bytes()), i%len(fr.Bytes()))
				}
			}
			t.Fatalf("%d bands: %d bytes, want %d", bands, got.Len(), want.Len())
		}
	}
}

// blockedWriter holds the first frame until the second has begun to be drawn.
type blockedWriter struct {
	drawing chan struct{}
	frames  int
}

func (w *blockedWriter) Write(p []byte) (int, error) {
	if w.frames++; w.frames == 1 {
		select {
		case <-w.drawing:
		case <-time.After(10 * time.Second):
			return 0, errors.New("frame 1 was not drawn while frame 0 was written")
		}
	}
	return len(p), nil
}

// Frame k+1 is drawn while frame k is written: the encoder has the next frame as soon as it
// takes it, rather than waiting for the drawing.
func TestFeedDrawsWhileWriting(t *testing.T) {
	t.Parallel()
	w := &blockedWriter{drawing: make(chan struct{})}
	err := Feed(w, nil, 16, 8, 3, 2, func(k int64, dst *Frame, band, lo, hi int) {
		if k == 1 && band == 0 {
			close(w.drawing)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if w.frames != 3 {
		t.Fatalf("%d frames written, want 3", w.frames)
	}
}

// failingWriter fails from its third frame on, as a pipe does once ffmpeg has stopped.
type failingWriter struct{ frames int }

var errStopped = errors.New("ffmpeg stopped")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.frames++; w.frames >= 3 {
		return 0, errStopped
	}
	return len(p), nil
}

// A failed write is returned, and the drawing stops soon after it rather than drawing the
// rest of the segment for nobody.
func TestFeedStopsWhenTheWriteFails(t *testing.T) {
	t.Parallel()
	drawn := 0
	err := Feed(&failingWriter{}, nil, 16, 8, 1000, 1, func(int64, *Frame, int, int, int) { drawn++ })
	if !errors.Is(err, errStopped) {
		t.Fatalf("error %v, want %v", err, errStopped)
	}
	if drawn > 6 {
		t.Fatalf("%d frames drawn after the third write failed", drawn)
	}
}

// Feeding a frame allocates nothing: a segment of 200 frames allocates as much as one of 2
// (its two frames, the goroutines' channels).
func TestFeedAllocatesNothingPerFrame(t *testing.T) {
	src := noise(90, 60)
	s := []*Sampler{NewSampler(src), NewSampler(src), NewSampler(src)}
	allocs := func(n int64) float64 {
		return testing.AllocsPerRun(5, func() {
			_ = Feed(io.Discard, nil, 64, 36, n, len(s), func(k int64, dst *Frame, band, lo, hi int) {
				s[band].DrawRows(dst, zoom(k, n, src), lo, hi)
			})
		})
	}
	if few, many := allocs(2), allocs(200); many > few {
		t.Fatalf("%.0f allocations for 200 frames, %.0f for 2", many, few)
	}
}

// Segments fed one after another with Frames draw into the same two frames: no new frames
// for each segment, whose old ones the Go heap would hold as garbage beside x264.
func TestFeedReusesFrames(t *testing.T) {
	t.Parallel()
	fs := &Frames{}
	seen := func() map[*Frame]bool {
		m := map[*Frame]bool{}
		if err := Feed(io.Discard, fs, 32, 18, 5, 1, func(_ int64, dst *Frame, _, _, _ int) { m[dst] = true }); err != nil {
			t.Fatal(err)
		}
		return m
	}
	first, second := seen(), seen()
	if len(first) != 2 {
		t.Fatalf("%d frames drawn into, want 2", len(first))
	}
	for f := range second {
		if !first[f] {
			t.Fatal("the second segment drew into a new frame")
		}
	}
	if got := fs.Get(32, 18); !first[got] {
		t.Fatal("Get did not give back a kept frame")
	}
	if got := fs.Get(20, 10); got.W != 20 || got.H != 10 || len(got.Bytes()) != 20*10+2*10*5 {
		t.Fatalf("Get of another size: %dx%d, %d bytes", got.W, got.H, len(got.Bytes()))
	}
}
