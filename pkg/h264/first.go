package h264

// FirstPicture returns an Annex B stream of b's SPS, PPS and first coded picture (with the
// SEI before it): a stream Repeat takes. When x264 codes that picture the same whatever
// follows it (render.SharesFirstFrame), it is what x264 writes for the picture alone, so a
// hold whose still starts a fade takes its first frame from the fade's end frames.
func FirstPicture(b []byte) ([]byte, error) {
	st, err := parseStream(b)
	if err != nil {
		return nil, err
	}
	units := append([][]byte{st.spsNAL, st.ppsNAL}, st.pics[0].units...)
	n := 0
	for _, u := range units {
		n += 4 + len(u)
	}
	out := make([]byte, 0, n)
	for _, u := range units {
		out = append(append(out, 0, 0, 0, 1), u...)
	}
	return out, nil
}
