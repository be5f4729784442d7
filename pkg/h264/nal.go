package h264

import "bytes"

// NAL unit types this package reads or writes.
const (
	nalSlice = 1 // a coded slice of a non-IDR picture
	nalIDR   = 5
	nalSPS   = 7
	nalPPS   = 8
)

// splitAnnexB returns the NAL units of an Annex B byte stream, without their start codes.
func splitAnnexB(b []byte) [][]byte {
	var units [][]byte
	start := -1
	for i := 0; i+2 < len(b); {
		if b[i] == 0 && b[i+1] == 0 && b[i+2] == 1 {
			if start >= 0 {
				units = append(units, trimZeros(b[start:i]))
			}
			i += 3
			start = i
			continue
		}
		i++
	}
	if start >= 0 && start < len(b) {
		units = append(units, b[start:])
	}
	return units
}

// trimZeros drops the zero bytes between a NAL unit and the next start code (the leading zero
// of a 4-byte start code, trailing_zero_8bits).
func trimZeros(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}

// unescape removes emulation_prevention_three_byte from a NAL unit's payload: the RBSP.
func unescape(b []byte) []byte {
	if !bytes.Contains(b, []byte{0, 0, 3}) {
		return b
	}
	out := make([]byte, 0, len(b))
	zeros := 0
	for _, c := range b {
		if zeros >= 2 && c == 3 {
			zeros = 0
			continue
		}
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
		out = append(out, c)
	}
	return out
}

// escape inserts emulation_prevention_three_byte where the RBSP would otherwise contain a
// start code prefix (00 00 00..03).
func escape(rbsp []byte) []byte {
	out := make([]byte, 0, len(rbsp)+len(rbsp)/64)
	zeros := 0
	for _, c := range rbsp {
		if zeros >= 2 && c <= 3 {
			out = append(out, 3)
			zeros = 0
		}
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
		out = append(out, c)
	}
	if zeros > 0 {
		out = append(out, 3) // an RBSP ending in zero (cabac_zero_word) must not end the unit
	}
	return out
}
