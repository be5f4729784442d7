package h264

import (
	"encoding/binary"
	"fmt"
	"io"
)

// RepeatMP4 writes to w an MP4 file of one video track: stream's one picture (see Repeat)
// shown for frames frames of frameTicks each, in a track of timescale ticks a second. It is
// what ffmpeg writes for the same stream with a stream copy (avcC from the stream's SPS and
// PPS, 4-byte NAL lengths, one chunk, no edit list: nothing is reordered), made here so that
// a hold costs no second ffmpeg start.
func RepeatMP4(w io.Writer, stream []byte, frames int, timescale, frameTicks uint32) error {
	pc, err := parsePicture(stream, frames)
	if err != nil {
		return err
	}
	if timescale == 0 || frameTicks == 0 {
		return fmt.Errorf("h264: time scale %d, %d ticks a frame", timescale, frameTicks)
	}
	// Samples: the picture's NAL units, then each repeat, every NAL unit after its length.
	var first []byte
	for _, u := range pc.units {
		first = binary.BigEndian.AppendUint32(first, uint32(len(u)))
		first = append(first, u...)
	}
	sizes := []uint32{uint32(len(first))}
	mdat := first
	pc.repeats(frames, func(nal []byte) {
		mdat = binary.BigEndian.AppendUint32(mdat, uint32(len(nal)))
		mdat = append(mdat, nal...)
		sizes = append(sizes, uint32(4+len(nal)))
	})
	duration := uint32(frames) * frameTicks

	ftyp := box("ftyp", []byte("isom"), u32(512), []byte("isomiso2avc1mp41"))
	// The sample table's one chunk starts after ftyp, moov and mdat's header: moov is built
	// with a placeholder offset first, to learn its size.
	moov := func(chunk uint32) []byte {
		stsz := [][]byte{full(0), u32(0), u32(uint32(len(sizes)))}
		for _, s := range sizes {
			stsz = append(stsz, u32(s))
		}
		stbl := box("stbl",
			box("stsd", full(0), u32(1), avc1(pc)),
			box("stts", full(0), u32(1), u32(uint32(frames)), u32(frameTicks)),
			box("stss", full(0), u32(1), u32(1)),
			box("stsc", full(0), u32(1), u32(1), u32(uint32(frames)), u32(1)),
			box("stsz", stsz...),
			box("stco", full(0), u32(1), u32(chunk)))
		minf := box("minf",
			box("vmhd", full(1), make([]byte, 8)),
			box("dinf", box("dref", full(0), u32(1), box("url ", full(1)))),
			stbl)
		mdia := box("mdia",
			box("mdhd", full(0), u32(0), u32(0), u32(timescale), u32(duration), u16(0x55c4), u16(0)), // "und"
			box("hdlr", full(0), u32(0), []byte("vide"), make([]byte, 12), []byte("VideoHandler\x00")),
			minf)
		ms := uint32(uint64(duration) * 1000 / uint64(timescale))
		tkhd := box("tkhd", full(3), u32(0), u32(0), u32(1), u32(0), u32(ms), make([]byte, 8),
			u16(0), u16(0), u16(0), u16(0), matrix(), u32(uint32(pc.sps.width)<<16), u32(uint32(pc.sps.height)<<16))
		mvhd := box("mvhd", full(0), u32(0), u32(0), u32(1000), u32(ms), u32(0x00010000), u16(0x0100),
			make([]byte, 10), matrix(), make([]byte, 24), u32(2))
		return box("moov", mvhd, box("trak", tkhd, mdia))
	}
	head := len(ftyp) + len(moov(0)) + 8
	out := append(append(ftyp, moov(uint32(head))...), box("mdat", mdat)...)
	_, err = w.Write(out)
	return err
}

// avc1 is the sample entry of the track, with the decoder configuration (ISO/IEC 14496-15).
func avc1(pc *picture) []byte {
	s := pc.sps
	sps, pps := pc.spsNAL, pc.ppsNAL
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
