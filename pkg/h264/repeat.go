// Package h264 lengthens a coded still picture without encoding it again: Repeat appends to
// an H.264 stream of one IDR picture the P pictures that show it again, each a single slice
// in which every macroblock is skipped (no motion, no residual: the decoder copies the
// picture before it). A hold segment of a slideshow is one still for seconds; x264 spends
// about 12 ms a 1080p frame finding that out, this package a few microseconds.
//
// It reads only what those slices need from the stream's SPS and PPS (clause 7.3.2 of ITU-T
// H.264) and writes the slices with either entropy coder (CAVLC: one mb_skip_run; CABAC:
// mb_skip_flag and end_of_slice_flag per macroblock). Streams it cannot extend safely
// (interlaced, separate colour planes, picture order count type 1, slice groups) are refused
// with an error, and callers encode those frames instead.
package h264

import (
	"errors"
	"fmt"
)

// skipCtx is (m, n) of ctxIdx 11, mb_skip_flag in P slices, for cabac_init_idc 0 (Table
// 9-13). With every macroblock skipped, ctxIdxInc is always 0 (clause 9.3.3.1.1.1).
const skipCtxM, skipCtxN = 23, 33

// nalRefP is the NAL header of a reference picture's non-IDR slice (nal_ref_idc 2, as x264
// writes its P pictures): each repeat is a reference, so that the picture order count never
// wraps against an old reference however long the hold.
const nalRefP = 2<<5 | nalSlice

// Repeat returns stream, an Annex B byte stream holding exactly one coded picture (an IDR,
// with its SPS and PPS), followed by frames-1 pictures that repeat it exactly.
func Repeat(stream []byte, frames int) ([]byte, error) {
	pc, err := parsePicture(stream, frames)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(stream)+frames*16)
	out = append(out, stream...)
	pc.repeats(frames, func(nal []byte) { out = append(append(out, 0, 0, 0, 1), nal...) })
	return out, nil
}

// picture is the one coded picture of a stream, with what repeating it needs.
type picture struct {
	sps            *sps
	pps            *pps
	poc            uint32   // the IDR's pic_order_cnt_lsb
	spsNAL, ppsNAL []byte   // as in the stream: header and escaped payload
	units          [][]byte // the picture's other NAL units (SEI, slices), as in the stream
}

// parsePicture checks that stream is one IDR picture this package can extend.
func parsePicture(stream []byte, frames int) (*picture, error) {
	if frames < 1 {
		return nil, fmt.Errorf("h264: %d frames", frames)
	}
	seqs, seqNALs := map[uint32]*sps{}, map[uint32][]byte{}
	pics, picNALs := map[uint32]*pps{}, map[uint32][]byte{}
	pc := &picture{}
	var idr []byte
	pictures := 0
	for _, u := range splitAnnexB(stream) {
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
		case nalIDR:
			r := &bitReader{b: unescape(u[1:])}
			if r.ue() == 0 { // first_mb_in_slice 0 starts a picture
				pictures++
				idr = u
			}
			pc.units = append(pc.units, u)
		case 1, 2, 3, 4:
			return nil, errors.New("h264: the stream holds a picture that is not an IDR")
		default:
			pc.units = append(pc.units, u)
		}
	}
	if pictures != 1 {
		return nil, fmt.Errorf("h264: the stream holds %d IDR pictures, want 1", pictures)
	}
	r := &bitReader{b: unescape(idr[1:])}
	r.ue() // first_mb_in_slice
	r.ue() // slice_type
	ppsID := r.ue()
	p := pics[ppsID]
	if p == nil {
		return nil, errors.New("h264: the IDR slice names a PPS the stream does not hold")
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
	r.u(s.log2MaxFrameNum) // frame_num
	r.ue()                 // idr_pic_id
	if s.pocType == 0 {
		pc.poc = r.u(s.log2MaxPocLsb)
	}
	if r.err != nil {
		return nil, fmt.Errorf("h264: IDR slice header: %w", r.err)
	}
	pc.sps, pc.pps, pc.spsNAL, pc.ppsNAL = s, p, seqNALs[p.spsID], picNALs[ppsID]
	return pc, nil
}

// repeats calls each with the NAL unit (header and escaped payload) of repeats 1 to frames-1.
func (pc *picture) repeats(frames int, each func(nal []byte)) {
	s, p := pc.sps, pc.pps
	maxFrameNum, maxPoc := uint32(1)<<s.log2MaxFrameNum, uint32(1)<<s.log2MaxPocLsb
	var body []byte // CABAC slice data: the same bytes in every repeat
	if p.cabac {
		body = skipCABAC(s, p)
	}
	nal := make([]byte, 0, 64+len(body))
	for i := uint32(1); i < uint32(frames); i++ {
		rbsp := skipSlice(s, p, i%maxFrameNum, (pc.poc+2*i)%maxPoc, body)
		nal = append(append(nal[:0], nalRefP), escape(rbsp)...)
		each(nal)
	}
}

// skipSlice is the RBSP of a P slice covering the whole picture with every macroblock skipped,
// predicting from the one picture before it (clauses 7.3.3 and 7.3.4). With CABAC, body is
// skipCABAC's slice data, which starts at a byte boundary after the header.
func skipSlice(s *sps, p *pps, frameNum, pocLsb uint32, body []byte) []byte {
	w := &bitWriter{}
	w.ue(0) // first_mb_in_slice
	w.ue(5) // slice_type: P, as is every slice of the picture
	w.ue(p.id)
	w.u(s.log2MaxFrameNum, frameNum)
	if s.pocType == 0 {
		w.u(s.log2MaxPocLsb, pocLsb)
		if p.bottomFieldPoc {
			w.se(0) // delta_pic_order_cnt_bottom
		}
	}
	if p.redundantPicCnt {
		w.ue(0)
	}
	w.flag(true)        // num_ref_idx_active_override_flag:
	w.ue(0)             // one reference, the picture before
	w.flag(false)       // ref_pic_list_modification_flag_l0
	if p.weightedPred { // pred_weight_table with default weights
		w.ue(0)
		if s.chromaArrayType != 0 {
			w.ue(0)
		}
		w.flag(false)
		if s.chromaArrayType != 0 {
			w.flag(false)
		}
	}
	w.flag(false) // adaptive_ref_pic_marking_mode_flag: the sliding window
	if p.cabac {
		w.ue(0) // cabac_init_idc
	}
	w.se(0) // slice_qp_delta
	if p.deblockingControl {
		w.ue(1) // disable_deblocking_filter_idc: skipped blocks have no edges to filter
	}
	if !p.cabac {
		w.ue(s.widthMbs * s.heightMapUnits) // mb_skip_run: the whole picture
		w.trailing()
		return w.b
	}
	for !w.aligned() {
		w.bit(1) // cabac_alignment_one_bit
	}
	return append(w.b, body...)
}

// skipCABAC codes the slice data of a picture whose macroblocks are all skipped: for each, an
// mb_skip_flag of 1 and an end_of_slice_flag, 1 after the last.
func skipCABAC(s *sps, p *pps) []byte {
	w := &bitWriter{}
	e := newCabacEncoder(w)
	ctx := newContext(skipCtxM, skipCtxN, p.picInitQP) // slice_qp_delta is 0
	mbs := s.widthMbs * s.heightMapUnits
	for i := uint32(0); i < mbs; i++ {
		e.decision(&ctx, 1)
		var last uint32
		if i == mbs-1 {
			last = 1
		}
		e.terminate(last)
	}
	return w.b // the flush's last bit was the stop bit; the byte is padded with zeros
}
