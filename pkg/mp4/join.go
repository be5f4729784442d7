package mp4

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

// ErrNotJoinable wraps why Join cannot join some segments itself (their sample entries or
// time bases differ, a segment is not at a constant frame rate, ...): the caller joins them
// another way.
var ErrNotJoinable = errors.New("mp4: the segments cannot be joined by a copy of their samples")

// Join writes to w one MP4 file: the video of the segment files in order, segment i lasting
// frames[i] frames at fps, and the audio track of the file audio ("" for none), with a
// stream copy. The moov box comes first (fast start) and the media is interleaved a second
// at a time. What it does is what ffmpeg's concat demuxer and mp4 muxer do with the same
// files and a list giving each segment's duration, without opening and probing every
// segment with a decoder (about 20 ms a 1080p segment).
func Join(w io.Writer, segments []string, frames []int64, fps int, audio string) error {
	if len(segments) == 0 || len(segments) != len(frames) || fps <= 0 {
		return fmt.Errorf("%w: %d segments, %d lengths, %d fps", ErrNotJoinable, len(segments), len(frames), fps)
	}
	video := &outTrack{handler: "vide"}
	var shift int64 // the largest edit-list start of a segment: how far decoding runs ahead
	var start int64 // the first frame of the current segment, in ticks
	var tick int64
	files := map[string]int{}
	for i, path := range segments {
		tracks, err := ReadFile(path)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrNotJoinable, err)
		}
		t := only(tracks, "vide")
		switch {
		case t == nil:
			return fmt.Errorf("%w: %s has no video track", ErrNotJoinable, path)
		case i == 0:
			if t.Timescale%uint32(fps) != 0 {
				return fmt.Errorf("%w: time scale %d at %d fps", ErrNotJoinable, t.Timescale, fps)
			}
			video.Track, tick = Track{Handler: "vide", Timescale: t.Timescale, Width: t.Width, Height: t.Height,
				Entry: withoutChild(t.Entry, "btrt")}, int64(t.Timescale)/int64(fps)
		case t.Timescale != video.Timescale || !bytes.Equal(decoding(t.Entry), decoding(video.Entry)):
			return fmt.Errorf("%w: %s differs from the first segment in its time scale or sample entry", ErrNotJoinable, path)
		}
		if int64(len(t.Samples)) != frames[i] || t.MediaTime < 0 || t.MediaTime%tick != 0 {
			return fmt.Errorf("%w: %s has %d samples, want %d (edit at %d)", ErrNotJoinable, path, len(t.Samples), frames[i], t.MediaTime)
		}
		if _, ok := files[path]; !ok {
			files[path] = len(files)
		}
		shift = max(shift, t.MediaTime)
		for k, s := range t.Samples {
			pts := s.DTS + s.CTO - t.MediaTime
			if s.DTS != int64(k)*tick || pts < 0 || pts >= frames[i]*tick {
				return fmt.Errorf("%w: %s's sample %d is at %d+%d", ErrNotJoinable, path, k, s.DTS, s.CTO)
			}
			video.add(outSample{file: files[path], Sample: Sample{Offset: s.Offset, Size: s.Size, Sync: s.Sync,
				DTS: start + s.DTS, CTO: start + pts}}) // CTO holds the presentation time until shifted below
		}
		start += frames[i] * tick
	}
	for i := range video.samples {
		s := &video.samples[i].Sample
		s.DTS = int64(i) * tick
		s.CTO = s.CTO + shift - s.DTS
		if s.CTO < 0 {
			return fmt.Errorf("%w: sample %d is shown before it is decoded", ErrNotJoinable, i)
		}
	}
	video.MediaTime, video.EditDuration = shift, uint64(start)
	out := []*outTrack{video}
	if audio != "" {
		tracks, err := ReadFile(audio)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrNotJoinable, err)
		}
		a := only(tracks, "soun")
		if a == nil {
			return fmt.Errorf("%w: %s has no audio track", ErrNotJoinable, audio)
		}
		files[audio] = len(files)
		at := &outTrack{Track: *a}
		at.Samples = nil
		for _, s := range a.Samples {
			at.add(outSample{file: files[audio], Sample: s})
		}
		if a.EditDuration > 0 && a.MovieScale > 0 { // into this file's movie time scale
			at.EditDuration = a.EditDuration * uint64(video.Timescale) / uint64(a.MovieScale)
		}
		out = append(out, at)
	}
	names := make([]string, len(files))
	for p, i := range files {
		names[i] = p
	}
	return write(w, out, names, fps)
}

// visualEntryHeader is the size of a visual sample entry (avc1) before its child boxes.
const visualEntryHeader = 86

// decoding is what of a video sample entry decides how its samples decode: its type, size and
// decoder configuration (avcC). The rest (compressor name, bit rates, an explicit square
// pixel aspect) may differ between ffmpeg's segments and package h264's.
func decoding(entry []byte) []byte {
	if len(entry) < visualEntryHeader {
		return entry
	}
	key := append(append([]byte(nil), entry[4:8]...), entry[32:36]...)
	for _, c := range children(entry[visualEntryHeader:]) {
		if c.typ == "avcC" {
			key = append(key, c.body...)
		}
	}
	return key
}

// withoutChild returns a visual sample entry without its child boxes of type typ (the bit
// rates of one segment in btrt are not the joined file's).
func withoutChild(entry []byte, typ string) []byte {
	if len(entry) < visualEntryHeader {
		return entry
	}
	out := append([]byte(nil), entry[:visualEntryHeader]...)
	for _, c := range children(entry[visualEntryHeader:]) {
		if c.typ != typ {
			out = append(out, Box(c.typ, c.body)...)
		}
	}
	binary.BigEndian.PutUint32(out, uint32(len(out)))
	return out
}

// only returns the first track with the handler, or nil.
func only(tracks []*Track, handler string) *Track {
	for _, t := range tracks {
		if t.Handler == handler {
			return t
		}
	}
	return nil
}

type outSample struct {
	Sample
	file int
}

type outTrack struct {
	Track
	handler string
	samples []outSample
	chunks  []chunk
}

type chunk struct {
	first, n int   // samples
	offset   int64 // in the output
}

func (t *outTrack) add(s outSample) { t.samples = append(t.samples, s) }

// write lays out the tracks a second of media at a time, writes ftyp and moov, then copies
// every sample from its file into mdat.
func write(w io.Writer, tracks []*outTrack, files []string, fps int) error {
	// Chunks: each track cut at whole seconds of its own decoding time.
	type piece struct {
		t     *outTrack
		c     int
		until int64 // end of the chunk, in microseconds, to interleave tracks by time
	}
	var order []piece
	for _, t := range tracks {
		if t.Handler == "" {
			t.Handler = t.handler
		}
		sec := int64(t.Timescale)
		for i := 0; i < len(t.samples); {
			j := i
			end := (t.samples[i].DTS/sec + 1) * sec
			for j < len(t.samples) && t.samples[j].DTS < end {
				j++
			}
			t.chunks = append(t.chunks, chunk{first: i, n: j - i})
			order = append(order, piece{t, len(t.chunks) - 1, end * 1_000_000 / sec})
			i = j
		}
	}
	// Interleave: chunks by their end time, video before audio at the same time.
	sort.SliceStable(order, func(a, b int) bool { return order[a].until < order[b].until })
	var mdatSize int64
	for _, p := range order {
		c := p.t.chunks[p.c]
		for _, s := range p.t.samples[c.first : c.first+c.n] {
			mdatSize += int64(s.Size)
		}
	}
	large := mdatSize+16 > 1<<32-1-(64<<20) // co64 and a 64-bit mdat size past 4 GiB
	layout := func(base int64) {
		off := base
		for _, p := range order {
			c := &p.t.chunks[p.c]
			c.offset = off
			for _, s := range p.t.samples[c.first : c.first+c.n] {
				off += int64(s.Size)
			}
		}
	}
	ftyp := Ftyp()
	layout(0)
	head := int64(len(ftyp)) + int64(len(moov(tracks, large))) + mdatHeader(large)
	layout(head)
	if _, err := w.Write(append(ftyp, moov(tracks, large)...)); err != nil {
		return err
	}
	if large {
		if _, err := w.Write(append(append(U32(1), "mdat"...), u64(uint64(mdatSize+16))...)); err != nil {
			return err
		}
	} else if _, err := w.Write(append(U32(uint32(mdatSize+8)), "mdat"...)); err != nil {
		return err
	}
	open := make([]*os.File, len(files))
	defer func() {
		for _, f := range open {
			if f != nil {
				_ = f.Close()
			}
		}
	}()
	for _, p := range order {
		c := p.t.chunks[p.c]
		for _, s := range p.t.samples[c.first : c.first+c.n] {
			if open[s.file] == nil {
				f, err := os.Open(files[s.file])
				if err != nil {
					return fmt.Errorf("mp4: %w", err)
				}
				open[s.file] = f
			}
			if _, err := io.Copy(w, io.NewSectionReader(open[s.file], s.Offset, int64(s.Size))); err != nil {
				return fmt.Errorf("mp4: copying a sample of %s: %w", files[s.file], err)
			}
		}
	}
	return nil
}

func mdatHeader(large bool) int64 {
	if large {
		return 16
	}
	return 8
}

func u64(v uint64) []byte { return append(U32(uint32(v>>32)), U32(uint32(v))...) }

// moov is the movie box: the movie's time scale is the video track's, so durations are exact.
func moov(tracks []*outTrack, large bool) []byte {
	scale := tracks[0].Timescale
	var movieDur uint64
	var traks [][]byte
	for i, t := range tracks {
		dur := uint64(0)
		if n := len(t.samples); n > 0 {
			last := t.samples[n-1].DTS
			dur = uint64(last) + uint64(lastDelta(t))
		}
		edit := t.EditDuration
		if edit == 0 {
			edit = dur * uint64(scale) / uint64(t.Timescale)
		}
		movieDur = max(movieDur, edit)
		traks = append(traks, trak(t, uint32(i+1), dur, edit, large))
	}
	mvhd := Box("mvhd", Full(0), U32(0), U32(0), U32(scale), U32(uint32(movieDur)), U32(0x00010000), U16(0x0100),
		make([]byte, 10), Matrix(), make([]byte, 24), U32(uint32(len(tracks)+1)))
	return Box("moov", append([][]byte{mvhd}, traks...)...)
}

// lastDelta is the duration of a track's last sample: the one before it, as ffmpeg assumes.
func lastDelta(t *outTrack) int64 {
	n := len(t.samples)
	if n < 2 {
		return int64(t.Timescale) / 30
	}
	return t.samples[n-1].DTS - t.samples[n-2].DTS
}

func trak(t *outTrack, id uint32, dur, edit uint64, large bool) []byte {
	video := t.Handler == "vide"
	volume, handlerName, mediaHeader := uint16(0), "VideoHandler\x00", Box("vmhd", Full(1), make([]byte, 8))
	if !video {
		volume, handlerName, mediaHeader = 0x0100, "SoundHandler\x00", Box("smhd", Full(0), make([]byte, 4))
	}
	tkhd := Box("tkhd", Full(3), U32(0), U32(0), U32(id), U32(0), U32(uint32(edit)), make([]byte, 8),
		U16(0), U16(0), U16(volume), U16(0), Matrix(), U32(t.Width), U32(t.Height))
	edts := Box("edts", Box("elst", Full(0), U32(1), U32(uint32(edit)), U32(uint32(t.MediaTime)), U16(1), U16(0)))
	mdia := Box("mdia",
		Box("mdhd", Full(0), U32(0), U32(0), U32(t.Timescale), U32(uint32(dur)), U16(0x55c4), U16(0)), // "und"
		Box("hdlr", Full(0), U32(0), []byte(t.Handler), make([]byte, 12), []byte(handlerName)),
		Box("minf", mediaHeader, Box("dinf", Box("dref", Full(0), U32(1), Box("url ", Full(1)))), stbl(t, large)))
	return Box("trak", tkhd, edts, mdia)
}

func stbl(t *outTrack, large bool) []byte {
	n := len(t.samples)
	var stts, ctts [][]byte // run-length entries
	var sttsN, cttsN, syncN uint32
	var stss [][]byte
	anyCTO := false
	delta := func(i int) int64 {
		if i+1 < n {
			return t.samples[i+1].DTS - t.samples[i].DTS
		}
		return lastDelta(t)
	}
	for i := 0; i < n; {
		j := i + 1
		for j < n && delta(j) == delta(i) {
			j++
		}
		stts = append(stts, U32(uint32(j-i)), U32(uint32(delta(i))))
		sttsN++
		i = j
	}
	for i := 0; i < n; {
		j := i + 1
		for j < n && t.samples[j].CTO == t.samples[i].CTO {
			j++
		}
		if t.samples[i].CTO != 0 {
			anyCTO = true
		}
		ctts = append(ctts, U32(uint32(j-i)), U32(uint32(t.samples[i].CTO)))
		cttsN++
		i = j
	}
	allSync := true
	for i, s := range t.samples {
		if s.Sync {
			stss = append(stss, U32(uint32(i+1)))
			syncN++
		} else {
			allSync = false
		}
	}
	sizes := [][]byte{Full(0), U32(0), U32(uint32(n))}
	for _, s := range t.samples {
		sizes = append(sizes, U32(s.Size))
	}
	var stsc [][]byte
	var stscN uint32
	for i, c := range t.chunks {
		if i == 0 || c.n != t.chunks[i-1].n {
			stsc = append(stsc, U32(uint32(i+1)), U32(uint32(c.n)), U32(1))
			stscN++
		}
	}
	var co []byte
	if large {
		parts := [][]byte{Full(0), U32(uint32(len(t.chunks)))}
		for _, c := range t.chunks {
			parts = append(parts, u64(uint64(c.offset)))
		}
		co = Box("co64", parts...)
	} else {
		parts := [][]byte{Full(0), U32(uint32(len(t.chunks)))}
		for _, c := range t.chunks {
			parts = append(parts, U32(uint32(c.offset)))
		}
		co = Box("stco", parts...)
	}
	boxes := [][]byte{
		Box("stsd", Full(0), U32(1), t.Entry),
		Box("stts", append([][]byte{Full(0), U32(sttsN)}, stts...)...),
	}
	if anyCTO {
		boxes = append(boxes, Box("ctts", append([][]byte{Full(0), U32(cttsN)}, ctts...)...))
	}
	if !allSync {
		boxes = append(boxes, Box("stss", append([][]byte{Full(0), U32(syncN)}, stss...)...))
	}
	boxes = append(boxes,
		Box("stsc", append([][]byte{Full(0), U32(stscN)}, stsc...)...),
		Box("stsz", sizes...),
		co)
	return Box("stbl", boxes...)
}
