package h264

import (
	"errors"
	"fmt"
)

// SplitKeyframes cuts an Annex B stream that x264 wrote with its parameter sets before every
// keyframe (repeat-headers, as ffmpeg has it for a raw stream) at each SPS: each part is a
// stream from an IDR on, with its SPS and PPS, as x264 writes one that starts there. want is
// the number of parts the caller expects; any other number is an error, as is a part that
// does not start with an IDR picture.
func SplitKeyframes(b []byte, want int) ([][]byte, error) {
	var cuts []int
	for i := 0; i+3 < len(b); i++ {
		if b[i] == 0 && b[i+1] == 0 && b[i+2] == 1 {
			if b[i+3]&0x1f == nalSPS {
				at := i
				if at > 0 && b[at-1] == 0 { // a 4-byte start code
					at--
				}
				cuts = append(cuts, at)
			}
			i += 2
		}
	}
	if len(cuts) == 0 || cuts[0] != 0 {
		return nil, errors.New("h264: the stream does not start with an SPS")
	}
	if len(cuts) != want {
		return nil, fmt.Errorf("h264: %d keyframes with parameter sets in the stream, want %d", len(cuts), want)
	}
	parts := make([][]byte, len(cuts))
	for i, at := range cuts {
		end := len(b)
		if i+1 < len(cuts) {
			end = cuts[i+1]
		}
		parts[i] = b[at:end:end]
		st, err := parseStream(parts[i])
		if err != nil {
			return nil, fmt.Errorf("h264: keyframe %d: %w", i, err)
		}
		if !st.pics[0].idr {
			return nil, fmt.Errorf("h264: keyframe %d is not an IDR picture", i)
		}
	}
	return parts, nil
}
