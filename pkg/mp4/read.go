package mp4

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Track is one track of a file, with its samples in decoding order.
type Track struct {
	Handler       string // "vide", "soun"
	Timescale     uint32
	Width, Height uint32 // tkhd's, 16.16 fixed point
	Entry         []byte // the sample entry box (avc1, mp4a ...) as stored
	MediaTime     int64  // the edit list's start in the media (0 without one)
	EditDuration  uint64 // the edit list's length in the movie's time scale (0 without one)
	MovieScale    uint32 // the movie's time scale (mvhd)
	LastDuration  int64  // for Write: the last sample's duration (0: the one before it's)
	Samples       []Sample
}

// Sample is one sample: where its bytes are and when it is.
type Sample struct {
	Offset int64
	Size   uint32
	DTS    int64 // decoding time, in the track's time scale
	CTO    int64 // composition offset: presentation time = DTS + CTO
	Sync   bool
	File   int    // for Write: the index of the file holding it at Offset, when Data is nil
	Data   []byte // for Write: the sample itself, when it is in memory
}

// ReadFile reads the tracks of the MP4 file at path (not fragmented; one edit at most).
func ReadFile(path string) ([]*Track, error) {
	b, err := readMoov(path)
	if err != nil {
		return nil, err
	}
	var tracks []*Track
	var movieScale uint32
	for _, c := range children(b) {
		switch c.typ {
		case "mvhd":
			if len(c.body) >= 16 {
				movieScale = binary.BigEndian.Uint32(c.body[12:16]) // version 0
			}
		case "trak":
			t, err := readTrak(c.body)
			if err != nil {
				return nil, fmt.Errorf("mp4: %s: %w", path, err)
			}
			tracks = append(tracks, t)
		}
	}
	for _, t := range tracks {
		t.MovieScale = movieScale
	}
	return tracks, nil
}

// readMoov returns the body of the file's moov box.
func readMoov(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mp4: %w", err)
	}
	defer f.Close()
	var off int64
	hdr := make([]byte, 16)
	for {
		if _, err := f.ReadAt(hdr[:8], off); err != nil {
			return nil, fmt.Errorf("mp4: %s has no moov box", path)
		}
		size, typ := int64(binary.BigEndian.Uint32(hdr[:4])), string(hdr[4:8])
		head := int64(8)
		if size == 1 {
			if _, err := f.ReadAt(hdr[8:16], off+8); err != nil {
				return nil, fmt.Errorf("mp4: %s: %w", path, err)
			}
			size, head = int64(binary.BigEndian.Uint64(hdr[8:16])), 16
		}
		if size < head {
			return nil, fmt.Errorf("mp4: %s: a box of %d bytes", path, size)
		}
		if typ == "moov" {
			if size > 64<<20 {
				return nil, fmt.Errorf("mp4: %s: moov of %d bytes", path, size)
			}
			b := make([]byte, size-head)
			if _, err := f.ReadAt(b, off+head); err != nil && !errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("mp4: %s: %w", path, err)
			}
			return b, nil
		}
		off += size
	}
}

type box struct {
	typ  string
	body []byte
}

// children splits a box body into its child boxes (a malformed tail is ignored: callers
// check that what they need is there).
func children(b []byte) []box {
	var out []box
	for len(b) >= 8 {
		size := int(binary.BigEndian.Uint32(b[:4]))
		if size < 8 || size > len(b) {
			break
		}
		out = append(out, box{string(b[4:8]), b[8:size]})
		b = b[size:]
	}
	return out
}

func child(b []byte, path ...string) []byte {
	for _, name := range path {
		var found []byte
		for _, c := range children(b) {
			if c.typ == name {
				found = c.body
				break
			}
		}
		if found == nil {
			return nil
		}
		b = found
	}
	return b
}

var errTables = errors.New("sample tables are incomplete")

func readTrak(b []byte) (*Track, error) {
	t := &Track{}
	if tk := child(b, "tkhd"); len(tk) >= 84 && tk[0] == 0 {
		t.Width, t.Height = binary.BigEndian.Uint32(tk[76:80]), binary.BigEndian.Uint32(tk[80:84])
	}
	if el := child(b, "edts", "elst"); len(el) >= 8 {
		n := binary.BigEndian.Uint32(el[4:8])
		switch {
		case n == 1 && el[0] == 0 && len(el) >= 20:
			t.EditDuration = uint64(binary.BigEndian.Uint32(el[8:12]))
			t.MediaTime = int64(int32(binary.BigEndian.Uint32(el[12:16])))
		case n == 1 && el[0] == 1 && len(el) >= 28:
			t.EditDuration = binary.BigEndian.Uint64(el[8:16])
			t.MediaTime = int64(binary.BigEndian.Uint64(el[16:24]))
		case n > 1:
			return nil, fmt.Errorf("%d edits", n)
		}
	}
	mdhd := child(b, "mdia", "mdhd")
	hdlr := child(b, "mdia", "hdlr")
	stbl := child(b, "mdia", "minf", "stbl")
	if len(mdhd) < 16 || mdhd[0] != 0 || len(hdlr) < 12 || stbl == nil {
		return nil, errTables
	}
	t.Timescale = binary.BigEndian.Uint32(mdhd[12:16])
	t.Handler = string(hdlr[8:12])
	stsd := child(stbl, "stsd")
	if len(stsd) < 16 || binary.BigEndian.Uint32(stsd[4:8]) != 1 {
		return nil, errors.New("want one sample entry")
	}
	t.Entry = stsd[8 : 8+int(binary.BigEndian.Uint32(stsd[8:12]))]
	return t, t.readSamples(stbl)
}

func (t *Track) readSamples(stbl []byte) error {
	stsz, stsc, stts := child(stbl, "stsz"), child(stbl, "stsc"), child(stbl, "stts")
	if len(stsz) < 12 || len(stsc) < 8 || len(stts) < 8 {
		return errTables
	}
	u := binary.BigEndian.Uint32
	count := int(u(stsz[8:12]))
	if count > 1<<24 {
		return fmt.Errorf("%d samples", count)
	}
	t.Samples = make([]Sample, count)
	fixed := u(stsz[4:8])
	for i := range t.Samples {
		if fixed != 0 {
			t.Samples[i].Size = fixed
		} else if 12+4*i+4 <= len(stsz) {
			t.Samples[i].Size = u(stsz[12+4*i:])
		} else {
			return errTables
		}
	}
	// Decoding times.
	var dts int64
	i := 0
	for e := 0; e < int(u(stts[4:8])) && 8+8*e+8 <= len(stts); e++ {
		n, d := int(u(stts[8+8*e:])), int64(u(stts[12+8*e:]))
		for k := 0; k < n && i < count; k++ {
			t.Samples[i].DTS = dts
			dts += d
			i++
		}
	}
	if i != count {
		return errTables
	}
	if ctts := child(stbl, "ctts"); len(ctts) >= 8 {
		i = 0
		for e := 0; e < int(u(ctts[4:8])) && 8+8*e+8 <= len(ctts); e++ {
			n, o := int(u(ctts[8+8*e:])), int64(int32(u(ctts[12+8*e:]))) // version 1 offsets are signed; version 0 ones fit
			for k := 0; k < n && i < count; k++ {
				t.Samples[i].CTO = o
				i++
			}
		}
	}
	if stss := child(stbl, "stss"); stss != nil {
		for e := 0; e < int(u(stss[4:8])) && 8+4*e+4 <= len(stss); e++ {
			if n := int(u(stss[8+4*e:])); n >= 1 && n <= count {
				t.Samples[n-1].Sync = true
			}
		}
	} else {
		for i := range t.Samples {
			t.Samples[i].Sync = true
		}
	}
	// Chunks: their offsets, and how many samples each holds.
	var chunks []int64
	if co := child(stbl, "stco"); len(co) >= 8 {
		for e := 0; e < int(u(co[4:8])) && 8+4*e+4 <= len(co); e++ {
			chunks = append(chunks, int64(u(co[8+4*e:])))
		}
	} else if co := child(stbl, "co64"); len(co) >= 8 {
		for e := 0; e < int(u(co[4:8])) && 8+8*e+8 <= len(co); e++ {
			chunks = append(chunks, int64(binary.BigEndian.Uint64(co[8+8*e:])))
		}
	}
	entries := int(u(stsc[4:8]))
	s := 0
	for e := 0; e < entries && 8+12*e+12 <= len(stsc); e++ {
		first, per := int(u(stsc[8+12*e:])), int(u(stsc[12+12*e:]))
		last := len(chunks)
		if e+1 < entries && 8+12*(e+1)+4 <= len(stsc) {
			last = int(u(stsc[8+12*(e+1):])) - 1
		}
		for c := first - 1; c < last && c >= 0 && c < len(chunks); c++ {
			off := chunks[c]
			for k := 0; k < per && s < count; k++ {
				t.Samples[s].Offset = off
				off += int64(t.Samples[s].Size)
				s++
			}
		}
	}
	if s != count {
		return errTables
	}
	return nil
}
