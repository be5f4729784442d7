package h264

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/simvid/simvid/pkg/mp4"
)

// RepeatMP4 writes to w an MP4 file of one video track: b's one picture (see Repeat) shown
// for frames frames of frameTicks each, in a track of timescale ticks a second.
func RepeatMP4(w io.Writer, b []byte, frames int, timescale, frameTicks uint32) error {
	st, err := parseRepeat(b, frames)
	if err != nil {
		return err
	}
	samples := []sample{{nals: st.pics[0].units, pts: 0}}
	st.repeats(frames, func(nal []byte) {
		samples = append(samples, sample{nals: [][]byte{append([]byte(nil), nal...)}, pts: len(samples)})
	})
	return writeMP4(w, st, samples, timescale, frameTicks)
}

// CrossfadeMP4 writes to w an MP4 file of one video track: the crossfade of Crossfade, with
// frames of frameTicks each in a track of timescale ticks a second.
func CrossfadeMP4(w io.Writer, b []byte, frames int, timescale, frameTicks uint32) error {
	st, samples, err := parseCrossfade(b, frames)
	if err != nil {
		return err
	}
	return writeMP4(w, st, samples, timescale, frameTicks)
}

// writeMP4 writes the samples (in decoding order) as one video track with mp4.Write: avcC
// from the stream's SPS and PPS and 4-byte NAL lengths, as ffmpeg writes the same stream
// with a stream copy; when display order differs from decoding order, composition offsets
// and an edit list that starts the presentation at the first picture. Made here, such a
// segment costs no second ffmpeg start.
func writeMP4(w io.Writer, st *stream, samples []sample, timescale, frameTicks uint32) error {
	if timescale == 0 || frameTicks == 0 {
		return fmt.Errorf("h264: time scale %d, %d ticks a frame", timescale, frameTicks)
	}
	shift := 0 // frames the decoding times run ahead of the display times at most
	for i, s := range samples {
		shift = max(shift, i-s.pts)
	}
	ticks := int64(frameTicks)
	t := &mp4.Track{Handler: "vide", Timescale: timescale, Entry: avc1(st),
		Width: uint32(st.sps.width) << 16, Height: uint32(st.sps.height) << 16, MediaTime: int64(shift) * ticks,
		EditDuration: uint64(len(samples)) * uint64(frameTicks)}
	for i, s := range samples {
		var data []byte
		for _, u := range s.nals {
			data = binary.BigEndian.AppendUint32(data, uint32(len(u)))
			data = append(data, u...)
		}
		t.Samples = append(t.Samples, mp4.Sample{Data: data, Sync: i == 0,
			DTS: int64(i) * ticks, CTO: int64(s.pts+shift-i) * ticks})
	}
	return mp4.Write(w, []*mp4.Track{t}, nil)
}

// avc1 is the sample entry of the track, with the decoder configuration (ISO/IEC 14496-15).
func avc1(st *stream) []byte {
	s, sps, pps := st.sps, st.spsNAL, st.ppsNAL
	// version, profile, compatibility, level, 4-byte lengths, one SPS; one PPS
	avcc := []byte{1, sps[1], sps[2], sps[3], 0xff, 0xe1}
	avcc = append(append(avcc, mp4.U16(uint16(len(sps)))...), sps...)
	avcc = append(avcc, 1)
	avcc = append(append(avcc, mp4.U16(uint16(len(pps)))...), pps...)
	if s.profileIdc != 66 && s.profileIdc != 77 && s.profileIdc != 88 { // the high profiles: as ffmpeg writes it
		avcc = append(avcc, 0xfc|byte(s.chromaFormat), 0xf8|byte(s.bitDepthLumaM8), 0xf8|byte(s.bitDepthChromaM8), 0)
	}
	return mp4.Box("avc1", make([]byte, 6), mp4.U16(1), make([]byte, 16), mp4.U16(uint16(s.width)), mp4.U16(uint16(s.height)),
		mp4.U32(0x00480000), mp4.U32(0x00480000), mp4.U32(0), mp4.U16(1), make([]byte, 32), mp4.U16(0x18), mp4.U16(0xffff),
		mp4.Box("avcC", avcc))
}
