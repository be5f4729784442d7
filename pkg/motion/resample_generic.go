//go:build !amd64 || purego

package motion

// useSIMD is false: no assembly kernels for this architecture (or the purego tag).
var useSIMD = false

func blendRowsSIMD(dst, a, b []byte, f uint32) int { return 0 }

func blendColsSIMD(out, row []byte, p *colPlan) int { return 0 }
