package h264

import "fmt"

// sps holds what a slice header needs from a sequence parameter set.
type sps struct {
	id               uint32
	chromaArrayType  uint32
	log2MaxFrameNum  int
	pocType          uint32
	log2MaxPocLsb    int
	frameMbsOnly     bool
	widthMbs         uint32
	heightMapUnits   uint32
	separateColour   bool
	deltaPocAlwaysZ  bool
	transformBypass  bool
	profileIdc       uint32
	bitDepthLumaM8   uint32
	bitDepthChromaM8 uint32
	chromaFormat     uint32
	maxRefFrames     uint32
	width, height    int // after cropping
}

// pps holds what a slice header needs from a picture parameter set.
type pps struct {
	id                uint32
	spsID             uint32
	cabac             bool
	bottomFieldPoc    bool
	weightedPred      bool
	weightedBipred    uint32 // 2: implicit weights, from the pictures' distances
	picInitQP         int32
	deblockingControl bool
	redundantPicCnt   bool
}

// highProfiles carry chroma_format_idc and the rest of 7.3.2.1.1's extra fields.
var highProfiles = map[uint32]bool{100: true, 110: true, 122: true, 244: true, 44: true, 83: true,
	86: true, 118: true, 128: true, 138: true, 139: true, 134: true, 135: true}

func parseSPS(rbsp []byte) (*sps, error) {
	r := &bitReader{b: rbsp}
	s := &sps{chromaArrayType: 1, chromaFormat: 1}
	s.profileIdc = r.u(8)
	r.u(16) // constraint flags, level_idc
	s.id = r.ue()
	if highProfiles[s.profileIdc] {
		chroma := r.ue()
		if chroma == 3 {
			s.separateColour = r.flag()
		}
		s.chromaArrayType, s.chromaFormat = chroma, chroma
		if s.separateColour {
			s.chromaArrayType = 0
		}
		s.bitDepthLumaM8, s.bitDepthChromaM8 = r.ue(), r.ue()
		s.transformBypass = r.flag()
		if r.flag() { // seq_scaling_matrix_present_flag
			lists := 8
			if chroma == 3 {
				lists = 12
			}
			for i := range lists {
				if r.flag() {
					size := 16
					if i >= 6 {
						size = 64
					}
					skipScalingList(r, size)
				}
			}
		}
	}
	s.log2MaxFrameNum = int(r.ue()) + 4
	s.pocType = r.ue()
	switch s.pocType {
	case 0:
		s.log2MaxPocLsb = int(r.ue()) + 4
	case 1:
		s.deltaPocAlwaysZ = r.flag()
		r.se()
		r.se()
		for range r.ue() {
			r.se()
		}
	}
	s.maxRefFrames = r.ue()
	r.flag() // gaps_in_frame_num_value_allowed_flag
	s.widthMbs = r.ue() + 1
	s.heightMapUnits = r.ue() + 1
	s.frameMbsOnly = r.flag()
	if !s.frameMbsOnly {
		r.flag() // mb_adaptive_frame_field_flag
	}
	r.flag() // direct_8x8_inference_flag
	var crop [4]uint32
	if r.flag() { // frame_cropping_flag
		crop = [4]uint32{r.ue(), r.ue(), r.ue(), r.ue()}
	}
	// Crop units (clause 7.4.2.1.1): chroma samples, and field pairs when interlaced.
	ux, uy := uint32(1), uint32(1)
	if s.chromaArrayType != 0 {
		ux = map[uint32]uint32{1: 2, 2: 2, 3: 1}[s.chromaFormat]
		uy = map[uint32]uint32{1: 2, 2: 1, 3: 1}[s.chromaFormat]
	}
	if !s.frameMbsOnly {
		uy *= 2
	}
	mapUnit := uint32(1)
	if !s.frameMbsOnly {
		mapUnit = 2
	}
	s.width = int(s.widthMbs*16) - int(ux*(crop[0]+crop[1]))
	s.height = int(s.heightMapUnits*mapUnit*16) - int(uy*(crop[2]+crop[3]))
	if r.err != nil {
		return nil, fmt.Errorf("h264: sequence parameter set: %w", r.err)
	}
	return s, nil
}

func skipScalingList(r *bitReader, size int) {
	last, next := int32(8), int32(8)
	for range size {
		if next != 0 {
			next = (last + r.se() + 256) % 256
		}
		if next != 0 {
			last = next
		}
	}
}

func parsePPS(rbsp []byte) (*pps, error) {
	r := &bitReader{b: rbsp}
	p := &pps{}
	p.id, p.spsID = r.ue(), r.ue()
	p.cabac = r.flag()
	p.bottomFieldPoc = r.flag()
	if groups := r.ue(); groups != 0 {
		return nil, fmt.Errorf("h264: picture parameter set uses %d slice groups", groups+1)
	}
	r.ue() // num_ref_idx_l0_default_active_minus1
	r.ue() // num_ref_idx_l1_default_active_minus1
	p.weightedPred = r.flag()
	p.weightedBipred = r.u(2)
	p.picInitQP = 26 + r.se()
	r.se() // pic_init_qs_minus26
	r.se() // chroma_qp_index_offset
	p.deblockingControl = r.flag()
	r.flag() // constrained_intra_pred_flag
	p.redundantPicCnt = r.flag()
	if r.err != nil {
		return nil, fmt.Errorf("h264: picture parameter set: %w", r.err)
	}
	return p, nil
}
