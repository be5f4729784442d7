package render

// A quality's CRF and its bitrate cap depend on the picture's size. The cap (maxrate, with a
// buffer of two seconds at that rate) keeps a busy slide, such as a zoom over a detailed
// photo, from bursting past what a phone on a normal connection streams; CRF keeps quiet
// slides small. Smaller pictures get a lower CRF because every pixel of them is seen larger.
//
//	lines (short side)   draft        standard      high
//	<= 480               28, 1.2M     22, 2.5M      19, 4M
//	<= 720               28, 2M       23, 5M        20, 8M
//	<= 1080              28, 3.5M     23, 8M        20, 12M
//	<= 1440              29, 6M       24, 16M       21, 24M
//	2160                 30, 12M      25, 35M       22, 50M
//
// Rates are for 30 fps or less; 60 fps gets one and a half times the cap.
type sizeTier struct {
	lines int
	crf   [3]int // draft, standard, high
	kbps  [3]int
}

var sizeTiers = []sizeTier{
	{480, [3]int{28, 22, 19}, [3]int{1200, 2500, 4000}},
	{720, [3]int{28, 23, 20}, [3]int{2000, 5000, 8000}},
	{1080, [3]int{28, 23, 20}, [3]int{3500, 8000, 12000}},
	{1440, [3]int{29, 24, 21}, [3]int{6000, 16000, 24000}},
	{1 << 30, [3]int{30, 25, 22}, [3]int{12000, 35000, 50000}},
}

// EncoderForSize is EncoderFor with the CRF and bitrate cap of a w x h video at fps.
func EncoderForSize(quality string, w, h, fps int, lossless bool) (Encoder, error) {
	e, err := EncoderFor(quality, lossless)
	if err != nil || lossless {
		return e, err
	}
	q := map[string]int{"draft": 0, "standard": 1, "high": 2}[quality]
	short := min(w, h)
	for _, t := range sizeTiers {
		if short <= t.lines {
			e.CRF, e.MaxRate = t.crf[q], t.kbps[q]
			break
		}
	}
	if fps > 30 {
		e.MaxRate = e.MaxRate * 3 / 2
	}
	e.BufSize = 2 * e.MaxRate
	return e, nil
}
