package motion

import (
	"math"
	"testing"
)

func ramp(w, h int) *Frame {
	f := NewFrame(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			f.Y[y*w+x] = byte(x * 4)
		}
	}
	for i := range f.U {
		f.U[i], f.V[i] = byte(i%7*30), 128
	}
	return f
}

// The whole still at its own size is the still, exactly.
func TestDrawIdentity(t *testing.T) {
	t.Parallel()
	src := ramp(64, 36)
	dst := NewFrame(64, 36)
	NewSampler(src).Draw(dst, Window{0, 0, 64, 36})
	for i, b := range src.Bytes() {
		if dst.Bytes()[i] != b {
			t.Fatalf("byte %d: %d, want %d", i, dst.Bytes()[i], b)
		}
	}
}

// A window a quarter pixel to the right reads between pixels: on a ramp of 4 a pixel, every
// inner sample is one level up. A window moved by small steps moves the picture by as much:
// no integer steps.
func TestDrawSubPixel(t *testing.T) {
	t.Parallel()
	src := ramp(64, 36)
	dst := NewFrame(48, 36)
	s := NewSampler(src)
	s.Draw(dst, Window{8.25, 0, 48, 36})
	for x := 0; x < 48; x++ {
		if got, want := dst.Y[10*48+x], byte((8+x)*4+1); got != want {
			t.Fatalf("x %d: %d, want %d", x, got, want)
		}
	}
	// Mean luma of a zooming window over a ramp follows the window's centre smoothly.
	prev := -1.0
	for k := 0; k <= 20; k++ {
		x := 2 + float64(k)*0.1
		s.Draw(dst, Window{x, 0, 48, 36})
		var sum float64
		for _, b := range dst.Y[:48] {
			sum += float64(b)
		}
		mean := sum / 48
		want := (x + 24 - 0.5) * 4
		if math.Abs(mean-want) > 0.6 || mean < prev {
			t.Fatalf("window at %.1f: mean %.3f, want %.3f (previous %.3f)", x, mean, want, prev)
		}
		prev = mean
	}
}

// Windows over the edges read the edge pixels, never outside the planes.
func TestDrawEdges(t *testing.T) {
	t.Parallel()
	src := ramp(40, 30)
	dst := NewFrame(36, 20)
	s := NewSampler(src)
	for _, w := range []Window{{0, 0, 40, 30}, {-0.3, -0.3, 40.6, 30.6}, {0.7, 0.2, 3, 2}, {39, 29, 1, 1}} {
		s.Draw(dst, w)
	}
	if dst.Y[0] < 152 { // the bottom-right pixels, 38*4 and 39*4
		t.Errorf("corner window: %d", dst.Y[0])
	}
}

func BenchmarkDraw1080p(b *testing.B) {
	src := ramp(2112, 1188)
	dst := NewFrame(1920, 1080)
	s := NewSampler(src)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := float64(i%100) / 100
		s.Draw(dst, Window{96 * f, 54 * f, 2112 - 192*f, 1188 - 108*f})
	}
}

// A fade's frame k of n is b at k/n: a alone first, halfway in the middle.
func TestFade(t *testing.T) {
	t.Parallel()
	a, b, dst := NewFrame(18, 10), NewFrame(18, 10), NewFrame(18, 10)
	for i := range a.Bytes() {
		a.Bytes()[i], b.Bytes()[i] = 10, 210
	}
	for _, c := range []struct {
		k, n int64
		want byte
	}{{0, 15, 10}, {5, 10, 110}, {14, 15, 197}} {
		Fade(dst, a, b, c.k, c.n)
		for i, v := range dst.Bytes() {
			if v != c.want {
				t.Fatalf("frame %d of %d, byte %d: %d, want %d", c.k, c.n, i, v, c.want)
			}
		}
	}
}

// blendCols blends every pair of samples at every weight as the two-multiply form did,
// b below a (where its one multiply wraps) included, at even and odd places of a row.
func TestBlendColsIsTheTwoMultiplyBlend(t *testing.T) {
	t.Parallel()
	row := make([]byte, 3)
	col := make([]uint32, 257*2)
	out := make([]byte, len(col))
	for a := 0; a < 256; a++ {
		for b := 0; b < 256; b++ {
			row[0], row[1], row[2] = byte(a), byte(b), byte(a)
			for f := range 257 {
				col[2*f], col[2*f+1] = uint32(f), 1<<9|uint32(f) // (a, b) and (b, a)
			}
			blendCols(out, row, col)
			for f := range 257 {
				u := uint32(f)
				if want := byte((uint32(a)*(256-u) + uint32(b)*u + 128) >> 8); out[2*f] != want {
					t.Fatalf("a %d b %d f %d: %d, want %d", a, b, f, out[2*f], want)
				}
				if want := byte((uint32(b)*(256-u) + uint32(a)*u + 128) >> 8); out[2*f+1] != want {
					t.Fatalf("b %d a %d f %d: %d, want %d", b, a, f, out[2*f+1], want)
				}
			}
		}
	}
}
