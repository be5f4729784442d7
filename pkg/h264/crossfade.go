package h264

import (
	"errors"
	"fmt"
)

// MaxCrossfade is the longest crossfade, in frames, that implicit weights can express: the
// two pictures' distance in picture order count (two a frame) must stay within 127.
const MaxCrossfade = 64

// sample is one coded picture of the output, in decoding order, with its place in display
// order (pts, in frames).
type sample struct {
	nals [][]byte
	pts  int
}

// Crossfade returns, as an Annex B stream in decoding order, a crossfade of frames pictures
// (2 to MaxCrossfade) from the first picture of b to its second. b holds exactly two coded
// pictures, an IDR and a reference P picture, with their SPS and PPS: x264's encoding of two
// stills in a row (with B-frames allowed, so that its PPS asks for implicit weights). The
// first picture is shown first and the second last; between them, frame k of the frames-2 B
// pictures shows (frames-1-k)/(frames-1) of the first plus k/(frames-1) of the second, to
// the decoder's 1/64 precision.
func Crossfade(b []byte, frames int) ([]byte, error) {
	st, samples, err := parseCrossfade(b, frames)
	if err != nil {
		return nil, err
	}
	out := append(append([]byte{0, 0, 0, 1}, st.spsNAL...), append([]byte{0, 0, 0, 1}, st.ppsNAL...)...)
	for _, s := range samples {
		for _, n := range s.nals {
			out = append(append(out, 0, 0, 0, 1), n...)
		}
	}
	return out, nil
}

// parseCrossfade checks b and returns the crossfade's samples.
func parseCrossfade(b []byte, frames int) (*stream, []sample, error) {
	if frames < 2 || frames > MaxCrossfade {
		return nil, nil, fmt.Errorf("h264: a crossfade of %d frames (2 to %d)", frames, MaxCrossfade)
	}
	st, err := parseStream(b)
	if err != nil {
		return nil, nil, err
	}
	s, p := st.sps, st.pps
	switch {
	case len(st.pics) != 2 || !st.pics[0].idr || st.pics[1].idr || !st.pics[1].ref || !st.pics[1].sliceP:
		return nil, nil, errors.New("h264: a crossfade needs an IDR picture and a reference P picture")
	case p.weightedBipred != 2:
		return nil, nil, errNoCrossfade
	case s.pocType != 0 || s.maxRefFrames < 2:
		return nil, nil, errors.New("h264: the SPS cannot keep both pictures as references in display order")
	case 2*(frames-1) >= 1<<s.log2MaxPocLsb/2:
		return nil, nil, fmt.Errorf("h264: a crossfade of %d frames exceeds the SPS's picture order count", frames)
	}
	a, z := st.pics[0], st.pics[1]
	maxPoc, maxFrameNum := uint32(1)<<s.log2MaxPocLsb, uint32(1)<<s.log2MaxFrameNum
	last := sample{pts: frames - 1}
	for _, u := range z.units {
		if t := u[0] & 0x1f; t == nalSlice {
			if u, err = st.setPOC(u, (a.poc+2*uint32(frames-1))%maxPoc); err != nil {
				return nil, nil, err
			}
		}
		last.nals = append(last.nals, u)
	}
	samples := []sample{{nals: a.units, pts: 0}, last}
	body := skipBody(s, p, true)
	frameNum := (z.frameNum + 1) % maxFrameNum // a non-reference picture's: the last reference's + 1
	for k := 1; k < frames-1; k++ {
		rbsp := skipSlice(s, p, true, frameNum, (a.poc+2*uint32(k))%maxPoc, body)
		samples = append(samples, sample{nals: [][]byte{append([]byte{nalNonRefB}, escape(rbsp)...)}, pts: k})
	}
	return st, samples, nil
}
