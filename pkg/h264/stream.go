package h264

import (
	"errors"
	"fmt"
)

// stream is an Annex B stream taken apart: its parameter sets and its coded pictures.
type stream struct {
	sps            *sps
	pps            *pps
	spsNAL, ppsNAL []byte // as in the stream: header and escaped payload
	pics           []*codedPicture
}

// codedPicture is one picture's NAL units (SEI and slices, as in the stream) and what its
// first slice header says.
type codedPicture struct {
	units    [][]byte
	idr      bool
	ref      bool   // nal_ref_idc != 0
	sliceP   bool   // its slices are P slices
	frameNum uint32 // frame_num
	poc      uint32 // pic_order_cnt_lsb (picture order count type 0), else 0
}

// parseStream reads an Annex B stream of whole pictures that all use one SPS and PPS, and
// refuses what this package cannot extend safely.
func parseStream(b []byte) (*stream, error) {
	seqs, seqNALs := map[uint32]*sps{}, map[uint32][]byte{}
	pics, picNALs := map[uint32]*pps{}, map[uint32][]byte{}
	st := &stream{}
	var pending [][]byte // SEI and the like before a picture's first slice
	var ppsID uint32
	for _, u := range splitAnnexB(b) {
		if len(u) == 0 {
			continue
		}
		switch t := u[0] & 0x1f; t {
		case nalSPS:
			s, err := parseSPS(unescape(u[1:]))
			if err != nil {
				return nil, err
			}
			seqs[s.id], seqNALs[s.id] = s, u
		case nalPPS:
			p, err := parsePPS(unescape(u[1:]))
			if err != nil {
				return nil, err
			}
			pics[p.id], picNALs[p.id] = p, u
		case nalSlice, nalIDR:
			r := &bitReader{b: unescape(u[1:])}
			if r.ue() == 0 { // first_mb_in_slice 0 starts a picture
				sliceType := r.ue() % 5
				id := r.ue()
				if len(st.pics) > 0 && id != ppsID {
					return nil, errors.New("h264: the pictures use different PPSs")
				}
				ppsID = id
				st.pics = append(st.pics, &codedPicture{idr: t == nalIDR, ref: u[0]>>5 != 0, sliceP: sliceType == 0})
			}
			if len(st.pics) == 0 {
				return nil, errors.New("h264: the stream starts inside a picture")
			}
			pic := st.pics[len(st.pics)-1]
			pic.units = append(append(pic.units, pending...), u)
			pending = nil
		case 2, 3, 4:
			return nil, errors.New("h264: data partitioning is not supported")
		default:
			pending = append(pending, u)
		}
	}
	if len(st.pics) == 0 {
		return nil, errors.New("h264: the stream holds no picture")
	}
	p := pics[ppsID]
	if p == nil {
		return nil, errors.New("h264: a slice names a PPS the stream does not hold")
	}
	s := seqs[p.spsID]
	switch {
	case s == nil:
		return nil, errors.New("h264: the PPS names an SPS the stream does not hold")
	case !s.frameMbsOnly:
		return nil, errors.New("h264: interlaced streams are not supported")
	case s.separateColour:
		return nil, errors.New("h264: separate colour planes are not supported")
	case s.pocType == 1:
		return nil, errors.New("h264: picture order count type 1 is not supported")
	}
	st.sps, st.pps, st.spsNAL, st.ppsNAL = s, p, seqNALs[p.spsID], picNALs[ppsID]
	for _, pic := range st.pics {
		h, err := st.header(pic.units[len(pic.units)-1])
		if err != nil {
			return nil, err
		}
		pic.frameNum, pic.poc = h.frameNum, h.poc
	}
	return st, nil
}

// sliceHeader is the start of a slice header, up to the picture order count.
type sliceHeader struct {
	frameNum, poc uint32
	pocBit        int // where pic_order_cnt_lsb starts in the RBSP, in bits; -1 if absent
}

func (st *stream) header(nal []byte) (sliceHeader, error) {
	r := &bitReader{b: unescape(nal[1:])}
	r.ue() // first_mb_in_slice
	r.ue() // slice_type
	r.ue() // pic_parameter_set_id
	h := sliceHeader{pocBit: -1}
	h.frameNum = r.u(st.sps.log2MaxFrameNum)
	if nal[0]&0x1f == nalIDR {
		r.ue() // idr_pic_id
	}
	if st.sps.pocType == 0 {
		h.pocBit = r.pos
		h.poc = r.u(st.sps.log2MaxPocLsb)
	}
	if r.err != nil {
		return h, fmt.Errorf("h264: slice header: %w", r.err)
	}
	return h, nil
}

// setPOC returns a slice NAL unit with its pic_order_cnt_lsb replaced: the field has a fixed
// width, so nothing after it moves.
func (st *stream) setPOC(nal []byte, poc uint32) ([]byte, error) {
	h, err := st.header(nal)
	if err != nil || h.pocBit < 0 {
		return nil, errors.New("h264: the slice has no picture order count to change")
	}
	rbsp := append([]byte(nil), unescape(nal[1:])...)
	n := st.sps.log2MaxPocLsb
	for i := range n {
		bit, at := byte(poc>>(n-1-i)&1), h.pocBit+i
		rbsp[at/8] = rbsp[at/8]&^(0x80>>(at%8)) | bit<<(7-at%8)
	}
	return append([]byte{nal[0]}, escape(rbsp)...), nil
}
