package mp4

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Piece is a run of the samples of the audio track of an MP4 file: Take samples from the
// Skip'th on.
type Piece struct {
	Path       string
	Skip, Take int
}

// JoinAudio writes to w an MP4 file of one audio track: the pieces' samples in order, each
// lasting frame ticks, decoded with the first piece's configuration and edit start (an AAC
// encoder's priming) and lasting length ticks. Every piece must have been encoded with the
// same configuration in frames of that length; the join refuses anything else. The sample
// entry's bit rates are those of the joined track.
func JoinAudio(w io.Writer, pieces []Piece, frame int64, length uint64) error {
	if len(pieces) == 0 || frame <= 0 {
		return errors.New("mp4: no audio to join")
	}
	out := &Track{Handler: "soun"}
	var files []string
	var config []byte
	for i, pc := range pieces {
		tracks, err := ReadFile(pc.Path)
		if err != nil {
			return err
		}
		t := only(tracks, "soun")
		switch {
		case t == nil:
			return fmt.Errorf("mp4: %s has no audio track", pc.Path)
		case pc.Skip < 0 || pc.Take < 0 || pc.Skip+pc.Take > len(t.Samples):
			return fmt.Errorf("mp4: %s has %d samples, not the %d+%d wanted", pc.Path, len(t.Samples), pc.Skip, pc.Take)
		case i == 0:
			out.Timescale, out.Entry, out.MediaTime, config = t.Timescale, t.Entry, t.MediaTime, audioDecoding(t.Entry)
			if config == nil {
				return fmt.Errorf("mp4: %s's audio has no decoder configuration", pc.Path)
			}
		case t.Timescale != out.Timescale || !bytes.Equal(audioDecoding(t.Entry), config):
			return fmt.Errorf("mp4: %s's audio is not encoded like the first piece's", pc.Path)
		}
		if len(t.Samples) > 1 && t.Samples[1].DTS-t.Samples[0].DTS != frame {
			return fmt.Errorf("mp4: %s's audio frames last %d ticks, not %d", pc.Path, t.Samples[1].DTS-t.Samples[0].DTS, frame)
		}
		files = append(files, pc.Path)
		for _, s := range t.Samples[pc.Skip : pc.Skip+pc.Take] {
			out.Samples = append(out.Samples, Sample{File: i, Offset: s.Offset, Size: s.Size, Sync: true,
				DTS: int64(len(out.Samples)) * frame})
		}
	}
	// The samples last the edit: the last one only as long as the track still runs, as an
	// encoder's own file has it (a decoder may trim by the sample table rather than the edit).
	n, end := int64(len(out.Samples)), out.MediaTime+int64(length)
	if end <= (n-1)*frame || end > n*frame {
		return fmt.Errorf("mp4: %d audio frames of %d ticks cannot last %d ticks after %d", n, frame, length, out.MediaTime)
	}
	out.LastDuration, out.EditDuration = end-(n-1)*frame, length
	out.Entry = withBitrates(out.Entry, out.Samples, out.Timescale)
	return Write(w, []*Track{out}, files)
}

// audioEntryHeader is the size of an audio sample entry (mp4a) before its child boxes.
const audioEntryHeader = 36

// audioDecoding is what of an audio sample entry decides how its samples decode: its type,
// channels, sample size and rate, and the decoder specific information in esds (nil when
// there is none). The bit rates in esds describe one file and may differ.
func audioDecoding(entry []byte) []byte {
	if len(entry) < audioEntryHeader {
		return nil
	}
	esds := child(entry[audioEntryHeader:], "esds")
	_, dsi, ok := decoderConfig(esds)
	if !ok {
		return nil
	}
	key := append(append(append([]byte(nil), entry[4:8]...), entry[24:28]...), entry[32:36]...)
	return append(key, dsi...)
}

// decoderConfig finds, in the body of an esds box, the DecoderConfigDescriptor's bit rate
// fields (at rates: bufferSizeDB 3 bytes, maxBitrate 4, avgBitrate 4) and its
// DecoderSpecificInfo.
func decoderConfig(esds []byte) (rates int, dsi []byte, ok bool) {
	if len(esds) < 4 {
		return 0, nil, false
	}
	es, esAt, ok := descriptor(esds, 4, 0x03)
	if !ok || len(es) < 3 {
		return 0, nil, false
	}
	skip := 3
	if es[2]&0x80 != 0 { // streamDependenceFlag
		skip += 2
	}
	if es[2]&0x40 != 0 && len(es) > skip { // URL_Flag
		skip += 1 + int(es[skip])
	}
	if es[2]&0x20 != 0 { // OCRstreamFlag
		skip += 2
	}
	dc, dcAt, ok := descriptor(es, skip, 0x04)
	if !ok || len(dc) < 13 {
		return 0, nil, false
	}
	info, _, ok := descriptor(dc, 13, 0x05)
	if !ok {
		return 0, nil, false
	}
	return esAt + dcAt + 2, info, true
}

// descriptor reads the MPEG-4 descriptor with tag at b[at:] and returns its body and where
// the body starts in b.
func descriptor(b []byte, at int, tag byte) (body []byte, bodyAt int, ok bool) {
	if at >= len(b) || b[at] != tag {
		return nil, 0, false
	}
	size, i := 0, at+1
	for n := 0; n < 4; n++ {
		if i >= len(b) {
			return nil, 0, false
		}
		size = size<<7 | int(b[i]&0x7f)
		i++
		if b[i-1]&0x80 == 0 {
			break
		}
	}
	if i+size > len(b) {
		return nil, 0, false
	}
	return b[i : i+size], i, true
}

// withBitrates returns the audio sample entry with its esds bit rates set to the samples':
// the largest sample as the buffer size, the most bits in any second as the maximum, and
// the mean.
func withBitrates(entry []byte, samples []Sample, timescale uint32) []byte {
	if len(entry) < audioEntryHeader || len(samples) == 0 || timescale == 0 {
		return entry
	}
	out := append([]byte(nil), entry...)
	body := child(out[audioEntryHeader:], "esds") // within out: written through below
	rates, _, ok := decoderConfig(body)
	if !ok || rates+11 > len(body) {
		return entry
	}
	var total, window, most uint64
	var largest uint32
	first := 0
	for _, s := range samples {
		total += uint64(s.Size)
		window += uint64(s.Size)
		largest = max(largest, s.Size)
		for s.DTS-samples[first].DTS >= int64(timescale) {
			window -= uint64(samples[first].Size)
			first++
		}
		most = max(most, window)
	}
	last := samples[len(samples)-1]
	ticks := uint64(last.DTS) + uint64(last.DTS-samples[max(0, len(samples)-2)].DTS)
	avg := uint64(0)
	if ticks > 0 {
		avg = total * 8 * uint64(timescale) / ticks
	}
	r := body[rates:]
	r[0], r[1], r[2] = byte(largest>>16), byte(largest>>8), byte(largest)
	binary.BigEndian.PutUint32(r[3:7], uint32(min(most*8, 1<<32-1)))
	binary.BigEndian.PutUint32(r[7:11], uint32(min(avg, 1<<32-1)))
	return out
}
