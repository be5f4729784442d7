// Package mp4 reads and writes the ISO base media files simvid makes: the box helpers that
// package h264 writes its segments with, a reader for the sample tables of such files (and of
// the ones ffmpeg writes), and Join, which puts a render's segments and its music into one
// MP4 with a stream copy, as ffmpeg's concat demuxer would, without probing every segment.
package mp4

import "encoding/binary"

// Box is an ISO BMFF box: size, type and its parts in order.
func Box(typ string, parts ...[]byte) []byte {
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

// Full is a full box's version 0 and flags.
func Full(flags uint32) []byte { return U32(flags & 0xffffff) }

// U32 and U16 are big-endian fields.
func U32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
func U16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

// Matrix is the identity transformation matrix of mvhd and tkhd.
func Matrix() []byte {
	m := make([]byte, 0, 36)
	for _, v := range []uint32{0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000} {
		m = binary.BigEndian.AppendUint32(m, v)
	}
	return m
}

// Ftyp is the file type box simvid's files start with (as ffmpeg's mp4 muxer writes it).
func Ftyp() []byte {
	return Box("ftyp", []byte("isom"), U32(512), []byte("isomiso2avc1mp41"))
}
