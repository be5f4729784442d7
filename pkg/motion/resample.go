package motion

import (
	"encoding/binary"
	"math"
)

// Window is a rectangle of a still in luma pixels: X, Y of its top left corner, W, H its size.
// The values are real: a window between pixels is sampled between them.
type Window struct{ X, Y, W, H float64 }

// Sampler draws windows of one still into frames of one size. It keeps its scratch buffers,
// so a segment's frames cost no allocation; it is not safe for concurrent use.
type Sampler struct {
	src    *Frame
	tmp    []byte
	col    []uint32 // per output sample: its first source sample << 9 | the second's weight
	plan   colPlan  // col for the SIMD column pass (useSIMD)
	noSIMD bool     // draw with the Go kernels alone (tests compare the two)
}

// NewSampler returns a sampler of src.
func NewSampler(src *Frame) *Sampler {
	// 16 bytes past a row: the SIMD column pass loads 16 bytes from a sample's place.
	return &Sampler{src: src, tmp: make([]byte, src.W+16)}
}

// Draw fills dst with window win of the still, scaled to dst's size with bilinear weights
// in 1/256 steps of a pixel (rows are blended first, to 8 bits, then columns). Each plane is sampled at its own pixel centres (4:2:0 chroma
// sits at the centre of its 2×2 luma block), so the chroma follows the luma exactly. One
// resample from the still to the output: no intermediate picture, no integer rounding of
// the window, so a move has no steps.
func (s *Sampler) Draw(dst *Frame, win Window) { s.DrawRows(dst, win, 0, dst.H) }

// DrawRows is Draw for the luma rows [lo, hi) of dst and the chroma rows under them. With lo
// even, samplers of one still that draw bands of rows split at even rows fill a frame
// together, each on its own goroutine, every row as Draw draws it: rows are drawn
// independently (Feed).
func (s *Sampler) DrawRows(dst *Frame, win Window, lo, hi int) {
	src := s.src
	s.plane(dst.Y, dst.W, dst.H, lo, hi, src.Y, src.W, src.H, win.X, win.Y, win.W, win.H)
	cw, ch := (dst.W+1)/2, (dst.H+1)/2
	sw, sh := (src.W+1)/2, (src.H+1)/2
	clo, chi := chromaRows(lo, hi, ch)
	// The chroma plane's pixels are twice the luma's: the same window at half its numbers.
	s.plane(dst.U, cw, ch, clo, chi, src.U, sw, sh, win.X/2, win.Y/2, win.W/2, win.H/2)
	s.plane(dst.V, cw, ch, clo, chi, src.V, sw, sh, win.X/2, win.Y/2, win.W/2, win.H/2)
}

// chromaRows are the chroma rows of luma rows [lo, hi) of a frame with ch chroma rows: a
// chroma row belongs to its first luma row, so bands split at even rows share none.
func chromaRows(lo, hi, ch int) (int, int) { return min(lo/2, ch), min((hi+1)/2, ch) }

// tap returns the first of the two source samples around output sample i of n, for a window
// [at, at+size) of a line of m samples, and the weight of the second (0..256).
func tap(i, n, m int, at, size float64) (int, uint32) {
	p := at + (float64(i)+0.5)*size/float64(n) - 0.5 // in source samples, centre to centre
	if p <= 0 || m < 2 {
		return 0, 0
	}
	i0 := int(p)
	f := uint32(math.Round((p - float64(i0)) * 256))
	if f == 256 {
		i0, f = i0+1, 0
	}
	if i0 >= m-1 {
		return m - 2, 256
	}
	return i0, f
}

// plane resamples rows [j0, j1) of one plane: rows are blended first (only the columns the
// window reads), then each output sample blends two of the blended row's samples.
func (s *Sampler) plane(dst []byte, dw, dh, j0, j1 int, src []byte, sw, sh int, x0, y0, w, h float64) {
	if cap(s.col) < dw {
		s.col = make([]uint32, dw)
	}
	col := s.col[:dw]
	lo, _ := tap(0, dw, sw, x0, w)
	last, _ := tap(dw-1, dw, sw, x0, w)
	hi := min(last+1, sw-1)
	for i := range col {
		a, f := tap(i, dw, sw, x0, w)
		col[i] = uint32(a-lo)<<9 | f
	}
	n := hi - lo + 1
	tmp := s.tmp[:n+16] // room for the SIMD column pass's 16-byte loads (colPlan)
	rows := useSIMD && !s.noSIMD
	cols := rows && s.plan.build(col)
	for j := j0; j < j1; j++ {
		r, fy := tap(j, dh, sh, y0, h)
		r1 := min(r+1, sh-1)
		if rows {
			blendRowsFast(tmp, src[r*sw+lo:r*sw+hi+1], src[r1*sw+lo:r1*sw+hi+1], fy)
		} else {
			blendRows(tmp, src[r*sw+lo:r*sw+hi+1], src[r1*sw+lo:r1*sw+hi+1], fy)
		}
		out := dst[j*dw : j*dw+dw]
		if cols {
			m := blendColsSIMD(out, tmp, &s.plan)
			blendCols(out[m:], tmp, col[m:])
		} else {
			blendCols(out, tmp, col)
		}
	}
}

// blendRowsFast is blendRows, by SIMD where the CPU has it (useSIMD) for all but the last
// few samples: the same numbers.
func blendRowsFast(dst, a, b []byte, f uint32) {
	n := 0
	if useSIMD {
		n = blendRowsSIMD(dst, a, b, f)
	}
	blendRows(dst[n:], a[n:], b[n:], f)
}

// colPlan is a column pass (col) laid out for a SIMD kernel that takes 32 output samples a
// step, in 4 groups of 8 (one 128-bit lane each). A group loads the 16 row bytes from
// offs[g], its lowest first sample, and shuffles them into 8 16-bit words, the first
// sample in the low byte and the second in the high: masks holds the two byte indexes of
// each output sample (2 bytes a sample, in output order), wts its weight f (0..256). A
// group fits when its samples' pairs lie in those 16 bytes: scale factors below about 2,
// so every motion window's zoom; a plane where one does not is left to blendCols.
type colPlan struct {
	offs  []int32  // per group of 8 output samples: where its 16 row bytes start
	masks []byte   // per output sample: its pair's indexes in its group's 16 bytes
	wts   []uint16 // per output sample: the second sample's weight
	n     int      // output samples planned: a multiple of 32, the rest left to blendCols
	need  int      // row bytes the kernel reads: the last load's end
}

// build lays out col (blendCols's form) for the kernel, its first multiple of 32 samples,
// and reports whether every group fits (and so whether to use it).
func (p *colPlan) build(col []uint32) bool {
	n := len(col) &^ 31
	if cap(p.masks) < 2*n {
		p.offs, p.masks, p.wts = make([]int32, n/8), make([]byte, 2*n), make([]uint16, n)
	}
	p.offs, p.masks, p.wts, p.n, p.need = p.offs[:n/8], p.masks[:2*n], p.wts[:n], n, 0
	for g := range p.offs {
		c := col[8*g : 8*g+8]
		lo, hi := c[0]>>9, c[0]>>9
		for _, v := range c {
			lo, hi = min(lo, v>>9), max(hi, v>>9)
		}
		if hi+1-lo > 15 {
			return false
		}
		p.offs[g] = int32(lo)
		p.need = max(p.need, int(lo)+16)
		for k, v := range c {
			i := 8*g + k
			p.masks[2*i], p.masks[2*i+1] = byte(v>>9-lo), byte(v>>9-lo+1)
			p.wts[i] = uint16(v & 0x1ff)
		}
	}
	return n > 0
}

// blendCols sets out[i] to the two samples of row that col[i] names (its first << 9 | the
// second's weight f) blended, rounded: a*(256-f) + b*f written as a*256 + (b-a)*f, one
// multiply, in uint32 arithmetic that wraps back for b < a (the sum is never negative).
// Two samples a step, so the compiler checks bounds once for both.
func blendCols(out, row []byte, col []uint32) {
	out = out[:len(col)]
	i := 0
	for ; i+2 <= len(col); i += 2 {
		c0, c1 := col[i], col[i+1]
		p0, p1 := c0>>9, c1>>9
		a0, b0 := uint32(row[p0]), uint32(row[p0+1])
		a1, b1 := uint32(row[p1]), uint32(row[p1+1])
		out[i] = byte((a0<<8 + (b0-a0)*(c0&0x1ff) + 128) >> 8)
		out[i+1] = byte((a1<<8 + (b1-a1)*(c1&0x1ff) + 128) >> 8)
	}
	for ; i < len(col); i++ {
		c := col[i]
		p := c >> 9
		a, b := uint32(row[p]), uint32(row[p+1])
		out[i] = byte((a<<8 + (b-a)*(c&0x1ff) + 128) >> 8)
	}
}

// blendRows sets dst[x] to a[x] and b[x] blended with weight f/256 of b, rounded, for every
// x of a (b as long). Eight samples at a time, as four 16-bit lanes of even and of odd
// samples in a uint64: a lane holds at most 255*256, so lanes never carry into each other.
func blendRows(dst, a, b []byte, f uint32) {
	const lanes = 0x00ff00ff00ff00ff
	const half = 0x0080008000800080
	wa, wb := uint64(256-f), uint64(f)
	x := 0
	for ; x+8 <= len(a); x += 8 {
		va, vb := binary.LittleEndian.Uint64(a[x:]), binary.LittleEndian.Uint64(b[x:])
		even := ((va&lanes)*wa + (vb&lanes)*wb + half) >> 8 & lanes
		odd := ((va>>8&lanes)*wa + (vb>>8&lanes)*wb + half) >> 8 & lanes
		binary.LittleEndian.PutUint64(dst[x:], even|odd<<8)
	}
	for ; x < len(a); x++ {
		dst[x] = byte((uint32(a[x])*uint32(wa) + uint32(b[x])*uint32(wb) + 128) >> 8)
	}
}

// Fade sets dst to frame k of an n-frame fade from a to b: b at k/n (in 1/256 steps), the
// first frame a alone and the last not yet b, as the fade of render.TransitionFilter. dst may
// be a. The frames are of one size.
func Fade(dst, a, b *Frame, k, n int64) { FadeRows(dst, a, b, k, n, 0, dst.H) }

// FadeRows is Fade for the luma rows [lo, hi) and the chroma rows under them (DrawRows):
// each byte is blended on its own, so bands of rows blend as the whole frame does.
func FadeRows(dst, a, b *Frame, k, n int64, lo, hi int) {
	f := min(uint32((k*256+n/2)/max(1, n)), 256)
	w, cw := dst.W, (dst.W+1)/2
	clo, chi := chromaRows(lo, hi, (dst.H+1)/2)
	blendRowsFast(dst.Y[lo*w:hi*w], a.Y[lo*w:hi*w], b.Y[lo*w:hi*w], f)
	blendRowsFast(dst.U[clo*cw:chi*cw], a.U[clo*cw:chi*cw], b.U[clo*cw:chi*cw], f)
	blendRowsFast(dst.V[clo*cw:chi*cw], a.V[clo*cw:chi*cw], b.V[clo*cw:chi*cw], f)
}
