package beat

import "io"

// TrackS16LE is Track of the signed 16-bit little-endian samples r holds (what ffmpeg's -f
// s16le writes; a trailing odd byte is ignored), with the same result, read a chunk at a
// time: its memory is the spectrogram's, 40 values every 128 samples (26 MB for 15 minutes),
// where Track's caller holds the bytes and the floats too (60 MB more for 15 minutes, issue
// 20: the long show's music). size, when above 0, is r's length in bytes.
func TrackS16LE(r io.Reader, size int64) (Result, error) {
	env, err := onsetsS16LE(r, size)
	if err != nil {
		return Result{}, err
	}
	return track(env), nil
}

// onsetsS16LE is onsets of the signed 16-bit little-endian samples r holds (a trailing odd
// byte is ignored), read a chunk at a time: only the samples of the frames not yet added
// are held. size, when above 0, is r's length in bytes: the spectrogram is made that size
// at once.
func onsetsS16LE(r io.Reader, size int64) ([]float64, error) {
	s := newSpectrogram(int(max(size, 0)/2/hop) + 1)
	raw := make([]byte, 64<<10)
	var buf []float32 // samples base .. base+len(buf)-1
	base, t := 0, 0   // t: the next frame
	for eof := false; !eof; {
		m, err := io.ReadFull(r, raw)
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			eof = true
		case err != nil:
			return nil, err
		}
		m &^= 1 // only the last read can end in an odd byte
		for i := 0; i < m; i += 2 {
			buf = append(buf, float32(int16(uint16(raw[i])|uint16(raw[i+1])<<8))/32768)
		}
		end := base + len(buf) // the samples read so far; at the end, all of them
		if eof && end == 0 {
			return nil, nil
		}
		// The frames whose windows the samples read cover; at the end, the rest, which
		// reach past the last sample (zeros there, as in onsets).
		for ; (eof && t <= end/hop) || (!eof && t*hop+fftSize/2 <= end); t++ {
			start := t*hop - fftSize/2
			for i := range s.seq {
				j := start + i
				if j < 0 || j >= end {
					s.seq[i] = 0
				} else {
					s.seq[i] = float64(buf[j-base])
				}
			}
			s.add()
		}
		if drop := min(t*hop-fftSize/2-base, len(buf)); drop > 0 { // before the next frame's window
			buf = buf[:copy(buf, buf[drop:])]
			base += drop
		}
	}
	return s.envelope(), nil
}
