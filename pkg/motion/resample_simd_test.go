package motion

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// The SIMD kernels (resample_amd64.s) must give the Go kernels' numbers, bit for bit. Where
// there are none (another architecture, the purego tag, a CPU without AVX2) these tests
// compare the Go kernels with themselves, and say so.
func needSIMD(t testing.TB) {
	t.Helper()
	if !useSIMD {
		t.Log("no SIMD kernels here (not amd64 with AVX2, or the purego tag): the Go kernels alone are tested")
	}
}

// widths are the row lengths the tests try: every length around the vector widths (32
// bytes, 32 output samples) and the luma and chroma widths of 1080p.
func widths() []int {
	w := []int{960, 1920, 2112}
	for n := 1; n <= 67; n++ {
		w = append(w, n)
	}
	return w
}

// firstDiff describes the first byte where got and want differ.
func firstDiff(got, want []byte) string {
	for i := range want {
		if got[i] != want[i] {
			return fmt.Sprintf("byte %d of %d: %d, want %d", i, len(want), got[i], want[i])
		}
	}
	return "equal"
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// blendRowsFast blends as blendRows at every weight 0..256, every length, a row blended
// onto itself (FadeRows's dst == a) included.
func TestBlendRowsSIMDIsGo(t *testing.T) {
	t.Parallel()
	needSIMD(t)
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range widths() {
		a, b := randBytes(r, n), randBytes(r, n)
		for f := uint32(0); f <= 256; f++ {
			want, got := make([]byte, n), make([]byte, n)
			blendRows(want, a, b, f)
			blendRowsFast(got, a, b, f)
			if !bytes.Equal(got, want) {
				t.Fatalf("n %d f %d: %s", n, f, firstDiff(got, want))
			}
			in := bytes.Clone(a)
			blendRowsFast(in, in, b, f)
			if !bytes.Equal(in, want) {
				t.Fatalf("n %d f %d, in place: %s", n, f, firstDiff(in, want))
			}
		}
	}
}

// checkCols runs the column pass of col over row both ways and fails on a difference. It
// reports whether the SIMD kernel took part (the plan fitted).
func checkCols(t testing.TB, row []byte, col []uint32) bool {
	t.Helper()
	want, got := make([]byte, len(col)), make([]byte, len(col))
	blendCols(want, row, col)
	var p colPlan
	m := 0
	if useSIMD && p.build(col) {
		m = blendColsSIMD(got, row, &p)
	}
	blendCols(got[m:], row, col[m:])
	if !bytes.Equal(got, want) {
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%d samples, sample %d (col %d<<9|%d, a %d b %d): %d, want %d",
					len(col), i, col[i]>>9, col[i]&0x1ff, row[col[i]>>9], row[col[i]>>9+1], got[i], want[i])
			}
		}
	}
	return m > 0
}

// Column passes with steps from 0 to 2 source samples an output sample (zooms in and out,
// and uneven steps), random weights 0..256, every output width: the kernel's numbers are
// blendCols's; where a group of 8 samples spans more than its 16 bytes, blendCols does it.
func TestBlendColsSIMDIsGo(t *testing.T) {
	t.Parallel()
	needSIMD(t)
	r := rand.New(rand.NewPCG(3, 4))
	used := 0
	for _, n := range widths() {
		for range 20 {
			step := r.Float64() * 2
			col := make([]uint32, n)
			p := r.Float64() * 3
			for i := range col {
				p += step * (0.8 + 0.4*r.Float64())
				col[i] = uint32(p)<<9 | uint32(r.IntN(257))
			}
			row := randBytes(r, int(p)+2+16) // 16 past the last pair, as Sampler's tmp
			if checkCols(t, row, col) {
				used++
			}
		}
	}
	if useSIMD && used == 0 {
		t.Fatal("the SIMD column pass never ran")
	}
}

// A picture drawn with the SIMD kernels is the picture drawn with the Go kernels: random
// stills, output sizes and windows (zooms of 0.5x to 2x, windows over the edges), and a
// fade between two drawings at every weight.
func TestDrawSIMDIsGo(t *testing.T) {
	t.Parallel()
	needSIMD(t)
	r := rand.New(rand.NewPCG(5, 6))
	sizes := [][2]int{{1920, 16}, {960, 9}}
	for w := 1; w <= 67; w++ {
		sizes = append(sizes, [2]int{w, 1 + r.IntN(9)})
	}
	for _, sz := range sizes {
		dw, dh := sz[0], sz[1]
		sw, sh := max(1, int(float64(dw)*(0.5+r.Float64()*1.5))), max(1, int(float64(dh)*(0.5+r.Float64()*1.5)))
		src := NewFrame(sw, sh)
		copy(src.Bytes(), randBytes(r, len(src.Bytes())))
		fast, slow := NewSampler(src), NewSampler(src)
		slow.noSIMD = true
		a, b := NewFrame(dw, dh), NewFrame(dw, dh)
		for range 8 {
			z := 0.9 + 0.2*r.Float64()
			win := Window{r.Float64()*4 - 1, r.Float64()*4 - 1, float64(sw) * z, float64(sh) * z}
			fast.Draw(a, win)
			slow.Draw(b, win)
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatalf("%dx%d from %dx%d, window %+v: %s", dw, dh, sw, sh, win, firstDiff(a.Bytes(), b.Bytes()))
			}
		}
		c := NewFrame(dw, dh)
		copy(c.Bytes(), randBytes(r, len(c.Bytes())))
		for k := int64(0); k <= 256; k++ {
			want := NewFrame(dw, dh)
			blendRows(want.Bytes(), a.Bytes(), c.Bytes(), min(uint32(k), 256))
			got := NewFrame(dw, dh)
			FadeRows(got, a, c, k, 256, 0, dh)
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("%dx%d fade %d/256: %s", dw, dh, k, firstDiff(got.Bytes(), want.Bytes()))
			}
		}
	}
}

// FuzzBlendCols: any row, column pass (a start, a step in 1/256 samples, weights from the
// input) and width give the same samples both ways.
func FuzzBlendCols(f *testing.F) {
	f.Add([]byte("a picture row of some bytes, more than sixteen"), uint16(1), uint16(240), uint8(64))
	f.Add(bytes.Repeat([]byte{0, 255}, 40), uint16(0), uint16(256), uint8(67))
	f.Add(bytes.Repeat([]byte{255, 0, 7}, 700), uint16(3), uint16(282), uint8(255))
	f.Add([]byte{9}, uint16(0), uint16(0), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, start, step uint16, n uint8) {
		if len(data) == 0 {
			return
		}
		col := make([]uint32, int(n)*8)
		p := int(start) % 64 * 256
		for i := range col {
			w := uint32(data[i%len(data)]) + uint32(i/len(data)&1) // 0..256
			col[i] = uint32(p>>8)<<9 | w
			p += int(step) % 1024
		}
		row := make([]byte, p>>8+2+16)
		for i := range row {
			row[i] = data[(i*7)%len(data)] ^ byte(i)
		}
		checkCols(t, row, col)
	})
}

// FuzzBlendRows: any two rows and weight blend the same both ways.
func FuzzBlendRows(f *testing.F) {
	f.Add([]byte("two rows of bytes, blended at a weight of the fuzzer's choosing"), uint16(77))
	f.Add(bytes.Repeat([]byte{255}, 130), uint16(256))
	f.Add([]byte{0, 255}, uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, f uint16) {
		n := len(data) / 2
		a, b := data[:n], data[n:2*n]
		w := uint32(f) % 257
		want, got := make([]byte, n), make([]byte, n)
		blendRows(want, a, b, w)
		blendRowsFast(got, a, b, w)
		if !bytes.Equal(got, want) {
			t.Fatalf("n %d f %d: %s", n, w, firstDiff(got, want))
		}
	})
}

func benchRows(b *testing.B, fast bool) {
	r := rand.New(rand.NewPCG(7, 8))
	x, y, dst := randBytes(r, 2112), randBytes(r, 2112), make([]byte, 2112)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if fast {
			blendRowsFast(dst, x, y, uint32(i%257))
		} else {
			blendRows(dst, x, y, uint32(i%257))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2112, "ns/sample")
}

// The row pass over a 2112-sample row (a 1080p zoom's still), Go and SIMD.
func BenchmarkBlendRowsGo(b *testing.B)   { benchRows(b, false) }
func BenchmarkBlendRowsSIMD(b *testing.B) { benchRows(b, true) }

func benchCols(b *testing.B, fast bool) {
	r := rand.New(rand.NewPCG(9, 10))
	row := randBytes(r, 2112+16)
	col := make([]uint32, 1920)
	for i := range col {
		a, f := tap(i, 1920, 2112, 40.3, 2030)
		col[i] = uint32(a)<<9 | f
	}
	out := make([]byte, 1920)
	var p colPlan
	if fast && (!useSIMD || !p.build(col)) {
		b.Skip("no SIMD column pass here")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if fast {
			m := blendColsSIMD(out, row, &p)
			blendCols(out[m:], row, col[m:])
		} else {
			blendCols(out, row, col)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1920, "ns/sample")
}

// The column pass of a 1920-sample output row from 2030 source samples, Go and SIMD.
func BenchmarkBlendColsGo(b *testing.B)   { benchCols(b, false) }
func BenchmarkBlendColsSIMD(b *testing.B) { benchCols(b, true) }

// The plan of a 1920-sample column pass, built once a plane a frame.
func BenchmarkColPlan(b *testing.B) {
	col := make([]uint32, 1920)
	for i := range col {
		a, f := tap(i, 1920, 2112, 40.3, 2030)
		col[i] = uint32(a)<<9 | f
	}
	var p colPlan
	for i := 0; i < b.N; i++ {
		p.build(col)
	}
}
