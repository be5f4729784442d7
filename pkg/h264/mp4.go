package h264

import (
	"encoding/binary"
	"fmt"
	"io"
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

	ftyp := box("ftyp", []byte("isom"), u32(512), []byte("isomiso2avc1mp41"))
	// The one chunk starts after ftyp, moov and mdat's header: moov is built with a
	// placeholder offset first, to learn its size.
	moov := func(chunk uint32) []byte {
		stsz := [][]byte{full(0), u32(0), u32(frames)}
		for _, s := range sizes {
			stsz = append(stsz, u32(s))
		}
		tables := [][]byte{
			box("stsd", full(0), u32(1), avc1(st)),
			box("stts", full(0), u32(1), u32(frames), u32(frameTicks)),
		}
		if shift > 0 {
			ctts := [][]byte{full(0), u32(frames)}
			for i, s := range samples {
				ctts = append(ctts, u32(1), u32(uint32(s.pts+shift-i)*frameTicks))
			}
			tables = append(tables, box("ctts", ctts...))
		}
		tables = append(tables,
			box("stss", full(0), u32(1), u32(1)),
			box("stsc", full(0), u32(1), u32(1), u32(frames), u32(1)),
			box("stsz", stsz...),
			box("stco", full(0), u32(1), u32(chunk)))
		minf := box("minf",
			box("vmhd", full(1), make([]byte, 8)),
			box("dinf", box("dref", full(0), u32(1), box("url ", full(1)))),
			box("stbl", tables...))
		mdia := box("mdia",
			box("mdhd", full(0), u32(0), u32(0), u32(timescale), u32(duration), u16(0x55c4), u16(0)), // "und"
			box("hdlr", full(0), u32(0), []byte("vide"), make([]byte, 12), []byte("VideoHandler\x00")),
			minf)
		trak := [][]byte{box("tkhd", full(3), u32(0), u32(0), u32(1), u32(0), u32(duration), make([]byte, 8),
			u16(0), u16(0), u16(0), u16(0), matrix(), u32(uint32(st.sps.width)<<16), u32(uint32(st.sps.height)<<16))}
		if shift > 0 { // the presentation starts at the first picture's composition time
			trak = append(trak, box("edts", box("elst", full(0), u32(1), u32(duration), u32(uint32(shift)*frameTicks),
				u16(1), u16(0))))
		}
		trak = append(trak, mdia)
		// The movie's time scale is the track's, so that durations are exact.
		mvhd := box("mvhd", full(0), u32(0), u32(0), u32(timescale), u32(duration), u32(0x00010000), u16(0x0100),
			make([]byte, 10), matrix(), make([]byte, 24), u32(2))
		return box("moov", mvhd, box("trak", trak...))
	}
	head := len(ftyp) + len(moov(0)) + 8
	out := append(append(ftyp, moov(uint32(head))...), box("mdat", mdat)...)
	_, err := w.Write(out)
	return err
}

// avc1 is the sample entry of the track, with the decoder configuration (ISO/IEC 14496-15).
func avc1(st *stream) []byte {
	s, sps, pps := st.sps, st.spsNAL, st.ppsNAL
	// version, profile, compatibility, level, 4-byte lengths, one SPS; one PPS
	avcc := []byte{1, sps[1], sps[2], sps[3], 0xff, 0xe1}
	avcc = append(append(avcc, u16(uint16(len(sps)))...), sps...)
	avcc = append(avcc, 1)
	avcc = append(append(avcc, u16(uint16(len(pps)))...), pps...)
	if s.profileIdc == 100 || s.profileIdc == 110 || s.profileIdc == 122 || s.profileIdc == 144 {
		avcc = append(avcc, 0xfc|byte(s.chromaFormat), 0xf8|byte(s.bitDepthLumaM8), 0xf8|byte(s.bitDepthChromaM8), 0)
	}
	return box("avc1", make([]byte, 6), u16(1), make([]byte, 16), u16(uint16(s.width)), u16(uint16(s.height)),
		u32(0x00480000), u32(0x00480000), u32(0), u16(1), make([]byte, 32), u16(0x18), u16(0xffff),
		box("avcC", avcc))
}

func box(typ string, parts ...[]byte) []byte {
	n := 8
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	b = append(b, typ...)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// full is a full box's version 0 and flags.
func full(flags uint32) []byte { return u32(flags & 0xffffff) }

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
func u16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

// matrix is the identity transformation matrix of mvhd and tkhd.
func matrix() []byte {
	m := make([]byte, 0, 36)
	for _, v := range []uint32{0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000} {
		m = binary.BigEndian.AppendUint32(m, v)
	}
	return m
}
