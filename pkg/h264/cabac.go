package h264

// The CABAC arithmetic encoder of ITU-T H.264 clause 9.3.4, with the tables of clause 9.3.3.2.
// This package codes only two syntax elements with it (mb_skip_flag and end_of_slice_flag), so
// it has one context and no binarisations.

// rangeTabLPS is Table 9-44: the LPS sub-range by probability state and quantised range.
var rangeTabLPS = [64][4]uint32{
	{128, 176, 208, 240}, {128, 167, 197, 227}, {128, 158, 187, 216}, {123, 150, 178, 205},
	{116, 142, 169, 195}, {111, 135, 160, 185}, {105, 128, 152, 175}, {100, 122, 144, 166},
	{95, 116, 137, 158}, {90, 110, 130, 150}, {85, 104, 123, 142}, {81, 99, 117, 135},
	{77, 94, 111, 128}, {73, 89, 105, 122}, {69, 85, 100, 116}, {66, 80, 95, 110},
	{62, 76, 90, 104}, {59, 72, 86, 99}, {56, 69, 81, 94}, {53, 65, 77, 89},
	{51, 62, 73, 85}, {48, 59, 69, 80}, {46, 56, 66, 76}, {43, 53, 63, 72},
	{41, 50, 59, 69}, {39, 48, 56, 65}, {37, 45, 54, 62}, {35, 43, 51, 59},
	{33, 41, 48, 56}, {32, 39, 46, 53}, {30, 37, 43, 50}, {29, 35, 41, 48},
	{27, 33, 39, 45}, {26, 31, 37, 43}, {24, 30, 35, 41}, {23, 28, 33, 39},
	{22, 27, 32, 37}, {21, 26, 30, 35}, {20, 24, 29, 33}, {19, 23, 27, 31},
	{18, 22, 26, 30}, {17, 21, 25, 28}, {16, 20, 23, 27}, {15, 19, 22, 25},
	{14, 18, 21, 24}, {14, 17, 20, 23}, {13, 16, 19, 22}, {12, 15, 18, 21},
	{12, 14, 17, 20}, {11, 14, 16, 19}, {11, 13, 15, 18}, {10, 12, 15, 17},
	{10, 12, 14, 16}, {9, 11, 13, 15}, {9, 11, 12, 14}, {8, 10, 12, 14},
	{8, 9, 11, 13}, {7, 9, 11, 12}, {7, 9, 10, 12}, {7, 8, 10, 11},
	{6, 8, 9, 11}, {6, 7, 9, 10}, {6, 7, 8, 9}, {2, 2, 2, 2},
}

// transIdxLPS is Table 9-45's next state after a least probable symbol; after a most
// probable one the state rises by one up to 62.
var transIdxLPS = [64]uint8{
	0, 0, 1, 2, 2, 4, 4, 5, 6, 7, 8, 9, 9, 11, 11, 12,
	13, 13, 15, 15, 16, 16, 18, 18, 19, 19, 21, 21, 22, 22, 23, 24,
	24, 25, 26, 26, 27, 27, 28, 29, 29, 30, 30, 30, 31, 32, 32, 33,
	33, 33, 34, 34, 35, 35, 35, 36, 36, 36, 37, 37, 37, 38, 38, 63,
}

// context is one context variable: a probability state and the most probable symbol.
type context struct {
	state uint8
	mps   uint32
}

// newContext initialises a context from its (m, n) pair at a slice QP (clause 9.3.1.1).
func newContext(m, n, qp int32) context {
	pre := min(max((m*min(max(qp, 0), 51))>>4+n, 1), 126)
	if pre <= 63 {
		return context{state: uint8(63 - pre), mps: 0}
	}
	return context{state: uint8(pre - 64), mps: 1}
}

// cabacEncoder is the arithmetic coding engine, writing into w from a byte boundary.
type cabacEncoder struct {
	w           *bitWriter
	low, rng    uint32
	outstanding int
	first       bool
}

func newCabacEncoder(w *bitWriter) *cabacEncoder {
	return &cabacEncoder{w: w, rng: 510, first: true}
}

// decision codes bin with context c (EncodeDecision).
func (e *cabacEncoder) decision(c *context, bin uint32) {
	lps := rangeTabLPS[c.state][(e.rng>>6)&3]
	e.rng -= lps
	if bin != c.mps {
		e.low += e.rng
		e.rng = lps
		if c.state == 0 {
			c.mps = 1 - c.mps
		}
		c.state = transIdxLPS[c.state]
	} else if c.state < 62 {
		c.state++
	}
	e.renorm()
}

// terminate codes a bin that ends the slice when 1 (EncodeTerminate, then EncodeFlush). The
// flush's last bit is the slice's rbsp_stop_one_bit.
func (e *cabacEncoder) terminate(bin uint32) {
	e.rng -= 2
	if bin == 0 {
		e.renorm()
		return
	}
	e.low += e.rng
	e.rng = 2
	e.renorm()
	e.put((e.low >> 9) & 1)
	e.w.u(2, ((e.low>>7)&3)|1)
}

func (e *cabacEncoder) renorm() {
	for e.rng < 256 {
		switch {
		case e.low < 256:
			e.put(0)
		case e.low >= 512:
			e.low -= 512
			e.put(1)
		default:
			e.low -= 256
			e.outstanding++
		}
		e.rng <<= 1
		e.low <<= 1
	}
}

// put is PutBit: the first bit of the engine is never written.
func (e *cabacEncoder) put(b uint32) {
	if e.first {
		e.first = false
	} else {
		e.w.bit(b)
	}
	for ; e.outstanding > 0; e.outstanding-- {
		e.w.bit(1 - b)
	}
}
