package h264

import (
	"errors"
	"math/bits"
)

// errShort is what a reader returns when a syntax element runs past the end of its NAL unit.
var errShort = errors.New("h264: NAL unit ends inside a syntax element")

// bitReader reads the RBSP of one NAL unit (emulation prevention already removed), MSB first.
type bitReader struct {
	b   []byte
	pos int // in bits
	err error
}

func (r *bitReader) u(n int) uint32 {
	var v uint32
	for range n {
		if r.pos >= len(r.b)*8 {
			r.err = errShort
			return 0
		}
		v = v<<1 | uint32(r.b[r.pos/8]>>(7-r.pos%8)&1)
		r.pos++
	}
	return v
}

func (r *bitReader) flag() bool { return r.u(1) == 1 }

// ue reads an Exp-Golomb code (ue(v) in the standard).
func (r *bitReader) ue() uint32 {
	zeros := 0
	for r.u(1) == 0 {
		if r.err != nil || zeros > 31 {
			if r.err == nil {
				r.err = errors.New("h264: Exp-Golomb code longer than 32 bits")
			}
			return 0
		}
		zeros++
	}
	return (1<<zeros - 1) + r.u(zeros)
}

// se reads a signed Exp-Golomb code (se(v)).
func (r *bitReader) se() int32 {
	k := r.ue()
	if k&1 == 1 {
		return int32((k + 1) / 2)
	}
	return -int32(k / 2)
}

// bitWriter writes an RBSP, MSB first.
type bitWriter struct {
	b    []byte
	free int // bits still free in the last byte
}

func (w *bitWriter) u(n int, v uint32) {
	for i := n - 1; i >= 0; i-- {
		w.bit(v >> i & 1)
	}
}

func (w *bitWriter) bit(v uint32) {
	if w.free == 0 {
		w.b = append(w.b, 0)
		w.free = 8
	}
	w.free--
	w.b[len(w.b)-1] |= byte(v&1) << w.free
}

func (w *bitWriter) flag(v bool) {
	if v {
		w.bit(1)
	} else {
		w.bit(0)
	}
}

func (w *bitWriter) ue(v uint32) {
	n := bits.Len32(v + 1) // the code is n-1 zeros, then v+1 in n bits
	w.u(n-1, 0)
	w.u(n, v+1)
}

func (w *bitWriter) se(v int32) {
	if v > 0 {
		w.ue(uint32(2*v - 1))
	} else {
		w.ue(uint32(-2 * v))
	}
}

// aligned reports whether the next bit starts a byte.
func (w *bitWriter) aligned() bool { return w.free == 0 }

// trailing writes rbsp_trailing_bits: a one, then zeros to the byte boundary.
func (w *bitWriter) trailing() {
	w.bit(1)
	w.free = 0
}
