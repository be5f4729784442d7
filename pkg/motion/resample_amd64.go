//go:build amd64 && !purego

package motion

import "golang.org/x/sys/cpu"

// useSIMD says whether the resampling kernels run in AVX2 assembly (resample_amd64.s), with
// the same numbers as the Go ones (a Sampler's noSIMD leaves them out, for the tests'
// comparisons).
var useSIMD = cpu.X86.HasAVX2

// blendRowsAVX2 is blendRows for n bytes, n a multiple of 32.
//
//go:noescape
func blendRowsAVX2(dst, a, b *byte, n int, f uint32)

// blendColsAVX2 is blendCols for blocks*32 output samples laid out by colPlan.
//
//go:noescape
func blendColsAVX2(out, row *byte, offs *int32, masks *byte, wts *uint16, blocks int)

// blendRowsSIMD blends the first multiple of 32 samples of a and b into dst (blendRows)
// and returns how many.
func blendRowsSIMD(dst, a, b []byte, f uint32) int {
	n := len(a) &^ 31
	if n == 0 {
		return 0
	}
	_, _ = dst[n-1], b[n-1] // the kernel's bounds
	blendRowsAVX2(&dst[0], &a[0], &b[0], n, f)
	return n
}

// blendColsSIMD does the column pass of p's first p.n output samples into out and returns
// how many (0 when row is too short for the kernel's loads).
func blendColsSIMD(out, row []byte, p *colPlan) int {
	if p.n == 0 || len(row) < p.need || len(out) < p.n {
		return 0
	}
	blendColsAVX2(&out[0], &row[0], &p.offs[0], &p.masks[0], &p.wts[0], p.n/32)
	return p.n
}
