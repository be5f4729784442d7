// Package h264 makes the frames of a slideshow that need no encoder: it extends an H.264
// stream that x264 wrote with pictures made of skipped macroblocks only, which a decoder
// reconstructs from the pictures before them without any residual.
//
//   - Repeat (and RepeatMP4) shows a picture again and again: P pictures whose every
//     macroblock is P_Skip (no motion, no residual) copy the picture before them. A hold
//     segment of a slideshow is one still for seconds; x264 spends about 12 ms a 1080p frame
//     finding that out, this package microseconds.
//   - CrossfadeMP4 dissolves one picture into the next: non-reference B pictures whose every
//     macroblock is B_Skip predict from both pictures with implicit weighted prediction
//     (weighted_bipred_idc 2), whose weights follow each picture's distance in display
//     order: a linear crossfade, computed by the decoder.
//
// It reads only what those slices need from the stream's SPS and PPS (clause 7.3.2 of ITU-T
// H.264) and writes the slices with either entropy coder (CAVLC: one mb_skip_run; CABAC:
// mb_skip_flag and end_of_slice_flag per macroblock). Streams it cannot extend safely
// (interlaced, separate colour planes, picture order count type 1, slice groups, a PPS
// without implicit weights for a crossfade) are refused with an error, and callers encode
// those frames instead.
package h264

import (
	"errors"
	"fmt"
)

// Contexts (m, n) of mb_skip_flag for cabac_init_idc 0 (Table 9-13, 9-14): ctxIdx 11 in P
// slices, 24 in B slices. With every macroblock skipped ctxIdxInc is always 0 (clause
// 9.3.3.1.1.1): a neighbour that is skipped counts as one that is not there.
var skipCtx = map[bool][2]int32{false: {23, 33}, true: {18, 64}}

// NAL headers: a repeat is a reference P picture (nal_ref_idc 2, as x264 writes its P
// pictures), so that the picture order count never wraps against an old reference however
// long the hold; a crossfade picture is a non-reference B picture.
const (
	nalRefP    = 2<<5 | nalSlice
	nalNonRefB = nalSlice
)

// Repeat returns b, an Annex B byte stream holding exactly one coded picture (an IDR, with
// its SPS and PPS), followed by frames-1 pictures that repeat it exactly.
func Repeat(b []byte, frames int) ([]byte, error) {
	st, err := parseRepeat(b, frames)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(b)+frames*16)
	out = append(out, b...)
	st.repeats(frames, func(nal []byte) { out = append(append(out, 0, 0, 0, 1), nal...) })
	return out, nil
}

// parseRepeat checks that b is one IDR picture this package can repeat.
func parseRepeat(b []byte, frames int) (*stream, error) {
	if frames < 1 {
		return nil, fmt.Errorf("h264: %d frames", frames)
	}
	st, err := parseStream(b)
	if err != nil {
		return nil, err
	}
	if len(st.pics) != 1 || !st.pics[0].idr {
		return nil, fmt.Errorf("h264: the stream holds %d pictures, want one IDR picture", len(st.pics))
	}
	return st, nil
}

// repeats calls each with the NAL unit (header and escaped payload) of repeats 1 to frames-1
// of the stream's only picture.
func (st *stream) repeats(frames int, each func(nal []byte)) {
	s, p, first := st.sps, st.pps, st.pics[0]
	maxFrameNum, maxPoc := uint32(1)<<s.log2MaxFrameNum, uint32(1)<<s.log2MaxPocLsb
	body := skipBody(s, p, false)
	nal := make([]byte, 0, 64+len(body))
	for i := uint32(1); i < uint32(frames); i++ {
		rbsp := skipSlice(s, p, false, (first.frameNum+i)%maxFrameNum, (first.poc+2*i)%maxPoc, body)
		nal = append(append(nal[:0], nalRefP), escape(rbsp)...)
		each(nal)
	}
}

// skipSlice is the RBSP of a slice covering the whole picture with every macroblock skipped
// (clauses 7.3.3 and 7.3.4): a reference P slice predicting from the picture before it, or a
// non-reference B slice predicting from the pictures either side of it with implicit weights
// and spatial direct prediction (whose motion is zero when no neighbour moves). With CABAC,
// body is skipBody's slice data, which starts at a byte boundary after the header.
func skipSlice(s *sps, p *pps, b bool, frameNum, pocLsb uint32, body []byte) []byte {
	w := &bitWriter{}
	w.ue(0) // first_mb_in_slice
	if b {
		w.ue(6) // slice_type: B, as is every slice of the picture
	} else {
		w.ue(5) // P
	}
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
	if b {
		w.flag(true) // direct_spatial_mv_pred_flag
	}
	w.flag(true) // num_ref_idx_active_override_flag: one reference in each list,
	w.ue(0)      // the picture before (and, for B, the one after)
	if b {
		w.ue(0)
	}
	w.flag(false) // ref_pic_list_modification_flag_l0
	if b {
		w.flag(false) // ref_pic_list_modification_flag_l1
	}
	if p.weightedPred && !b { // pred_weight_table with default weights
		w.ue(0)
		if s.chromaArrayType != 0 {
			w.ue(0)
		}
		w.flag(false)
		if s.chromaArrayType != 0 {
			w.flag(false)
		}
	}
	if !b {
		w.flag(false) // dec_ref_pic_marking: adaptive_ref_pic_marking_mode_flag, the sliding window
	}
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

// skipBody codes with CABAC the slice data of a P or B picture whose macroblocks are all
// skipped: for each, an mb_skip_flag of 1 and an end_of_slice_flag, 1 after the last. It is
// the same in every such slice of a stream (nil without CABAC).
func skipBody(s *sps, p *pps, b bool) []byte {
	if !p.cabac {
		return nil
	}
	w := &bitWriter{}
	e := newCabacEncoder(w)
	mn := skipCtx[b]
	ctx := newContext(mn[0], mn[1], p.picInitQP) // slice_qp_delta is 0
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

var errNoCrossfade = errors.New("h264: the stream's PPS has no implicit weighted bi-prediction")
