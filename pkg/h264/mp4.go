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

// writeMP4 writes the samples (in decoding order) as ffmpeg writes the same stream with a
// stream copy: avcC from the stream's SPS and PPS, 4-byte NAL lengths, one chunk; when display
// order differs from decoding order, composition offsets and an edit list that starts the
// presentation at the first picture. It is made here so that such a segment costs no second
// ffmpeg start.
func writeMP4(w io.Writer, st *stream, samples []sample, timescale, frameTicks uint32) error {
	if timescale == 0 || frameTicks == 0 {
		return fmt.Errorf("h264: time scale %d, %d ticks a frame", timescale, frameTicks)
	}
	var mdat []byte
	sizes := make([]uint32, len(samples))
	shift := 0 // frames the decoding times run ahead of the display times at most
	for i, s := range samples {
		start := len(mdat)
		for _, u := range s.nals {
			mdat = binary.BigEndian.AppendUint32(mdat, uint32(len(u)))
			mdat = append(mdat, u...)
		}
		sizes[i] = uint32(len(mdat) - start)
		shift = max(shift, i-s.pts)
	}
	frames := uint32(len(samples))
	duration := frames * frameTicks

	ftyp := mp4.Ftyp()
	// The one chunk starts after ftyp, moov and mdat's header: moov is built with a
	// placeholder offset first, to learn its size.
	moov := func(chunk uint32) []byte {
		stsz := [][]byte{mp4.Full(0), mp4.U32(0), mp4.U32(frames)}
		for _, s := range sizes {
			stsz = append(stsz, mp4.U32(s))
		}
		tables := [][]byte{
			mp4.Box("stsd", mp4.Full(0), mp4.U32(1), avc1(st)),
			mp4.Box("stts", mp4.Full(0), mp4.U32(1), mp4.U32(frames), mp4.U32(frameTicks)),
		}
		if shift > 0 {
			ctts := [][]byte{mp4.Full(0), mp4.U32(frames)}
			for i, s := range samples {
				ctts = append(ctts, mp4.U32(1), mp4.U32(uint32(s.pts+shift-i)*frameTicks))
			}
			tables = append(tables, mp4.Box("ctts", ctts...))
		}
		tables = append(tables,
			mp4.Box("stss", mp4.Full(0), mp4.U32(1), mp4.U32(1)),
			mp4.Box("stsc", mp4.Full(0), mp4.U32(1), mp4.U32(1), mp4.U32(frames), mp4.U32(1)),
			mp4.Box("stsz", stsz...),
			mp4.Box("stco", mp4.Full(0), mp4.U32(1), mp4.U32(chunk)))
		minf := mp4.Box("minf",
			mp4.Box("vmhd", mp4.Full(1), make([]byte, 8)),
			mp4.Box("dinf", mp4.Box("dref", mp4.Full(0), mp4.U32(1), mp4.Box("url ", mp4.Full(1)))),
			mp4.Box("stbl", tables...))
		mdia := mp4.Box("mdia",
			mp4.Box("mdhd", mp4.Full(0), mp4.U32(0), mp4.U32(0), mp4.U32(timescale), mp4.U32(duration), mp4.U16(0x55c4), mp4.U16(0)), // "und"
			mp4.Box("hdlr", mp4.Full(0), mp4.U32(0), []byte("vide"), make([]byte, 12), []byte("VideoHandler\x00")),
			minf)
		trak := [][]byte{mp4.Box("tkhd", mp4.Full(3), mp4.U32(0), mp4.U32(0), mp4.U32(1), mp4.U32(0), mp4.U32(duration), make([]byte, 8),
			mp4.U16(0), mp4.U16(0), mp4.U16(0), mp4.U16(0), mp4.Matrix(), mp4.U32(uint32(st.sps.width)<<16), mp4.U32(uint32(st.sps.height)<<16))}
		if shift > 0 { // the presentation starts at the first picture's composition time
			trak = append(trak, mp4.Box("edts", mp4.Box("elst", mp4.Full(0), mp4.U32(1), mp4.U32(duration), mp4.U32(uint32(shift)*frameTicks),
				mp4.U16(1), mp4.U16(0))))
		}
		trak = append(trak, mdia)
		// The movie's time scale is the track's, so that durations are exact.
		mvhd := mp4.Box("mvhd", mp4.Full(0), mp4.U32(0), mp4.U32(0), mp4.U32(timescale), mp4.U32(duration), mp4.U32(0x00010000), mp4.U16(0x0100),
			make([]byte, 10), mp4.Matrix(), make([]byte, 24), mp4.U32(2))
		return mp4.Box("moov", mvhd, mp4.Box("trak", trak...))
	}
	head := len(ftyp) + len(moov(0)) + 8
	out := append(append(ftyp, moov(uint32(head))...), mp4.Box("mdat", mdat)...)
	_, err := w.Write(out)
	return err
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
