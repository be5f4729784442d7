//go:build amd64 && !purego

#include "textflag.h"

// The AVX2 kernels of resample.go: the same numbers as blendRows and blendCols, bit for
// bit. Operands are in Go's order (sources first, destination last).

// func blendRowsAVX2(dst, a, b *byte, n int, f uint32)
//
// dst[x] = (a[x]*(256-f) + b[x]*f + 128) >> 8 for x < n, n a multiple of 32. In 16-bit
// lanes: a product is at most 255*256 and the sum plus 128 at most 65408, so nothing
// overflows and VPMULLW's low half is the whole product. The bytes are widened within
// each 128-bit lane (VPUNPCKLBW/VPUNPCKHBW) and VPACKUSWB narrows them back in the same
// order, so no lane crossing.
TEXT ·blendRowsAVX2(SB), NOSPLIT, $0-36
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	MOVL f+32(FP), AX
	MOVL $256, BX
	SUBL AX, BX              // 256-f
	MOVQ AX, X9
	VPBROADCASTW X9, Y9      // f in every word
	MOVQ BX, X8
	VPBROADCASTW X8, Y8      // 256-f in every word
	MOVL $128, AX
	MOVQ AX, X10
	VPBROADCASTW X10, Y10    // the rounding half
	VPXOR Y11, Y11, Y11      // zero, to widen bytes
	XORQ AX, AX

rows:
	VMOVDQU    (SI)(AX*1), Y0
	VMOVDQU    (DX)(AX*1), Y1
	VPUNPCKLBW Y11, Y0, Y2   // a, bytes 0-7 of each lane, as words
	VPUNPCKHBW Y11, Y0, Y0   // a, bytes 8-15
	VPUNPCKLBW Y11, Y1, Y3   // b, bytes 0-7
	VPUNPCKHBW Y11, Y1, Y1   // b, bytes 8-15
	VPMULLW    Y8, Y2, Y2
	VPMULLW    Y8, Y0, Y0
	VPMULLW    Y9, Y3, Y3
	VPMULLW    Y9, Y1, Y1
	VPADDW     Y3, Y2, Y2
	VPADDW     Y1, Y0, Y0
	VPADDW     Y10, Y2, Y2
	VPADDW     Y10, Y0, Y0
	VPSRLW     $8, Y2, Y2
	VPSRLW     $8, Y0, Y0
	VPACKUSWB  Y0, Y2, Y2    // back to bytes, in order (each word is at most 255)
	VMOVDQU    Y2, (DI)(AX*1)
	ADDQ       $32, AX
	CMPQ       AX, CX
	JB         rows

	VZEROUPPER
	RET

// func blendColsAVX2(out, row *byte, offs *int32, masks *byte, wts *uint16, blocks int)
//
// 32 output samples a step (colPlan), in four groups of 8, one 128-bit lane each: a group
// loads 16 bytes of row from its offs and VPSHUFB picks, for each of its samples, the two
// source samples into one word w = a | b<<8 (masks). Then, as blendCols, in 16-bit
// arithmetic that wraps: (a<<8 + (b-a)*f + 128) >> 8, whose true value is 0..65408, so
// the wrapped one is the same; a<<8 is w<<8, b is w>>8, a is w&0xff.
TEXT ·blendColsAVX2(SB), NOSPLIT, $0-48
	MOVQ out+0(FP), DI
	MOVQ row+8(FP), SI
	MOVQ offs+16(FP), R8
	MOVQ masks+24(FP), R9
	MOVQ wts+32(FP), R10
	MOVQ blocks+40(FP), CX
	MOVL $0x00ff, AX
	MOVQ AX, X9
	VPBROADCASTW X9, Y9      // the low byte of a word
	MOVL $128, AX
	MOVQ AX, X10
	VPBROADCASTW X10, Y10    // the rounding half

cols:
	MOVLQSX     0(R8), AX    // samples 0-7
	MOVLQSX     4(R8), BX    // samples 8-15
	VMOVDQU     (SI)(AX*1), X0
	VINSERTI128 $1, (SI)(BX*1), Y0, Y0
	MOVLQSX     8(R8), AX    // samples 16-23
	MOVLQSX     12(R8), BX   // samples 24-31
	VMOVDQU     (SI)(AX*1), X1
	VINSERTI128 $1, (SI)(BX*1), Y1, Y1
	VPSHUFB     (R9), Y0, Y0 // w = a | b<<8 for samples 0-15
	VPSHUFB     32(R9), Y1, Y1

	VPSRLW  $8, Y0, Y2       // b
	VPAND   Y9, Y0, Y3       // a
	VPSLLW  $8, Y0, Y0       // a<<8
	VPSUBW  Y3, Y2, Y2       // b-a
	VPMULLW (R10), Y2, Y2    // (b-a)*f
	VPADDW  Y2, Y0, Y0
	VPADDW  Y10, Y0, Y0
	VPSRLW  $8, Y0, Y0

	VPSRLW  $8, Y1, Y4
	VPAND   Y9, Y1, Y5
	VPSLLW  $8, Y1, Y1
	VPSUBW  Y5, Y4, Y4
	VPMULLW 32(R10), Y4, Y4
	VPADDW  Y4, Y1, Y1
	VPADDW  Y10, Y1, Y1
	VPSRLW  $8, Y1, Y1

	VPACKUSWB Y1, Y0, Y0     // lanes: samples 0-7, 16-23 | 8-15, 24-31
	VPERMQ    $0xd8, Y0, Y0  // 0-7, 8-15, 16-23, 24-31
	VMOVDQU   Y0, (DI)

	ADDQ $16, R8
	ADDQ $64, R9
	ADDQ $64, R10
	ADDQ $32, DI
	DECQ CX
	JNZ  cols

	VZEROUPPER
	RET
