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
	return JoinIndexed(w, nil, segments, frames, fps, audio)
}

// JoinIndexed is Join reading the segments' sample tables through idx (nil: from the files).
func JoinIndexed(w io.Writer, idx *Index, segments []string, frames []int64, fps int, audio string) error {
	if len(segments) == 0 || len(segments) != len(frames) || fps <= 0 {
		return fmt.Errorf("%w: %d segments, %d lengths, %d fps", ErrNotJoinable, len(segments), len(frames), fps)
	}
	video := &Track{}
	var shift int64 // the largest edit-list start of a segment: how far decoding runs ahead
	var start int64 // the first frame of the current segment, in ticks
	var tick int64
	files := map[string]int{}
	for i, path := range segments {
		tracks, err := idx.tracks(path)
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
			*video, tick = Track{Handler: "vide", Timescale: t.Timescale, Width: t.Width, Height: t.Height,
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
			video.Samples = append(video.Samples, Sample{File: files[path], Offset: s.Offset, Size: s.Size, Sync: s.Sync,
				DTS: start + s.DTS, CTO: start + pts}) // CTO holds the presentation time until shifted below
		}
		start += frames[i] * tick
	}
	for i := range video.Samples {
		s := &video.Samples[i]
		s.DTS = int64(i) * tick
		s.CTO = s.CTO + shift - s.DTS
		if s.CTO < 0 {
			return fmt.Errorf("%w: sample %d is shown before it is decoded", ErrNotJoinable, i)
		}
	}
	video.MediaTime, video.EditDuration = shift, uint64(start)
	out := []*Track{video}
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
		at := a
		for i := range at.Samples {
			at.Samples[i].File = files[audio]
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
	return Write(w, out, names)
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

// chunk is a run of a track's samples stored together.
type chunk struct {
	first, n int   // samples
	offset   int64 // in the output
}

// Write writes an MP4 file of the tracks (the first sets the movie's time scale): ftyp, then
// moov (fast start), then mdat, the media interleaved a second at a time. Each sample is its
// Data, or Size bytes at Offset of files[File]. A track's MediaTime and EditDuration become
// its edit list (EditDuration 0: the whole track), in the first track's time scale.
func Write(w io.Writer, tracks []*Track, files []string) error {
	chunks := make([][]chunk, len(tracks))
	type piece struct {
		t, c  int   // track, chunk
		until int64 // end of the chunk, in microseconds, to interleave tracks by time
	}
	var order []piece
	for ti, t := range tracks {
		if t.Timescale == 0 {
			return fmt.Errorf("mp4: a %s track without a time scale", t.Handler)
		}
		for k := range t.Samples {
			if s := &t.Samples[k]; s.Data != nil {
				s.Size = uint32(len(s.Data))
			}
		}
		// Chunks: each track cut at whole seconds of its own decoding time.
		sec := int64(t.Timescale)
		for i := 0; i < len(t.Samples); {
			j := i
			end := (t.Samples[i].DTS/sec + 1) * sec
			for j < len(t.Samples) && t.Samples[j].DTS < end {
				j++
			}
			chunks[ti] = append(chunks[ti], chunk{first: i, n: j - i})
			order = append(order, piece{ti, len(chunks[ti]) - 1, end * 1_000_000 / sec})
			i = j
		}
	}
	// Interleave: chunks by their end time, the first track's first at the same time.
	sort.SliceStable(order, func(a, b int) bool { return order[a].until < order[b].until })
	samples := func(p piece) []Sample {
		c := chunks[p.t][p.c]
		return tracks[p.t].Samples[c.first : c.first+c.n]
	}
	var mdatSize int64
	for _, p := range order {
		for _, s := range samples(p) {
			mdatSize += int64(s.Size)
		}
	}
	large := mdatSize+16 > 1<<32-1-(64<<20) // co64 and a 64-bit mdat size past 4 GiB
	layout := func(base int64) {
		off := base
		for _, p := range order {
			chunks[p.t][p.c].offset = off
			for _, s := range samples(p) {
				off += int64(s.Size)
			}
		}
	}
	ftyp := Ftyp()
	head := int64(len(ftyp)) + int64(len(moov(tracks, chunks, large))) + mdatHeader(large)
	layout(head) // offsets do not change moov's size, only its contents
	if _, err := w.Write(append(ftyp, moov(tracks, chunks, large)...)); err != nil {
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
	// Samples stored one after another in a file are copied as one run.
	run := struct {
		file     int
		off, end int64
	}{file: -1}
	flush := func() error {
		if run.file < 0 || run.end == run.off {
			return nil
		}
		if open[run.file] == nil {
			f, err := os.Open(files[run.file])
			if err != nil {
				return fmt.Errorf("mp4: %w", err)
			}
			open[run.file] = f
		}
		// A file read from its offset through a LimitedReader, not a SectionReader: written
		// to an *os.File (or a bufio.Writer over one, once its buffer is empty) the kernel
		// copies the run file to file (copy_file_range) without it passing through here.
		src := open[run.file]
		if _, err := src.Seek(run.off, io.SeekStart); err != nil {
			return fmt.Errorf("mp4: %w", err)
		}
		n, err := io.Copy(w, &io.LimitedReader{R: src, N: run.end - run.off})
		if err != nil {
			return fmt.Errorf("mp4: copying samples of %s: %w", files[run.file], err)
		}
		if n != run.end-run.off {
			return fmt.Errorf("mp4: %s ends before its samples do", files[run.file])
		}
		run.file = -1
		return nil
	}
	for _, p := range order {
		for _, s := range samples(p) {
			if s.Data != nil {
				if err := flush(); err != nil {
					return err
				}
				if _, err := w.Write(s.Data); err != nil {
					return err
				}
				continue
			}
			if s.File < 0 || s.File >= len(files) {
				return fmt.Errorf("mp4: a sample names file %d of %d", s.File, len(files))
			}
			if s.File != run.file || s.Offset != run.end {
				if err := flush(); err != nil {
					return err
				}
				run.file, run.off, run.end = s.File, s.Offset, s.Offset
			}
			run.end += int64(s.Size)
		}
	}
	return flush()
}

func mdatHeader(large bool) int64 {
	if large {
		return 16
	}
	return 8
}

func u64(v uint64) []byte { return append(U32(uint32(v>>32)), U32(uint32(v))...) }

// moov is the movie box: the movie's time scale is the first track's, so durations are exact.
func moov(tracks []*Track, chunks [][]chunk, large bool) []byte {
	scale := tracks[0].Timescale
	var movieDur uint64
	var traks [][]byte
	for i, t := range tracks {
		dur := uint64(0)
		if n := len(t.Samples); n > 0 {
			dur = uint64(t.Samples[n-1].DTS) + uint64(lastDelta(t))
		}
		edit := t.EditDuration
		if edit == 0 {
			edit = dur * uint64(scale) / uint64(t.Timescale)
		}
		movieDur = max(movieDur, edit)
		traks = append(traks, trak(t, chunks[i], uint32(i+1), dur, edit, large))
	}
	mvhd := Box("mvhd", Full(0), U32(0), U32(0), U32(scale), U32(uint32(movieDur)), U32(0x00010000), U16(0x0100),
		make([]byte, 10), Matrix(), make([]byte, 24), U32(uint32(len(tracks)+1)))
	return Box("moov", append([][]byte{mvhd}, traks...)...)
}

// lastDelta is the duration of a track's last sample: the one before it, as ffmpeg assumes
// (a lone sample lasts a thirtieth of a second).
func lastDelta(t *Track) int64 {
	if t.LastDuration > 0 {
		return t.LastDuration
	}
	n := len(t.Samples)
	if n < 2 {
		return int64(t.Timescale) / 30
	}
	return t.Samples[n-1].DTS - t.Samples[n-2].DTS
}

func trak(t *Track, chunks []chunk, id uint32, dur, edit uint64, large bool) []byte {
	volume, handlerName, mediaHeader := uint16(0), "VideoHandler\x00", Box("vmhd", Full(1), make([]byte, 8))
	if t.Handler != "vide" {
		volume, handlerName, mediaHeader = 0x0100, "SoundHandler\x00", Box("smhd", Full(0), make([]byte, 4))
	}
	tkhd := Box("tkhd", Full(3), U32(0), U32(0), U32(id), U32(0), U32(uint32(edit)), make([]byte, 8),
		U16(0), U16(0), U16(volume), U16(0), Matrix(), U32(t.Width), U32(t.Height))
	edts := Box("edts", Box("elst", Full(0), U32(1), U32(uint32(edit)), U32(uint32(t.MediaTime)), U16(1), U16(0)))
	mdia := Box("mdia",
		Box("mdhd", Full(0), U32(0), U32(0), U32(t.Timescale), U32(uint32(dur)), U16(0x55c4), U16(0)), // "und"
		Box("hdlr", Full(0), U32(0), []byte(t.Handler), make([]byte, 12), []byte(handlerName)),
		Box("minf", mediaHeader, Box("dinf", Box("dref", Full(0), U32(1), Box("url ", Full(1)))), stbl(t, chunks, large)))
	return Box("trak", tkhd, edts, mdia)
}

// runs is a table of run-length entries (count, value) over the samples.
func runs(n int, value func(i int) uint32) (entries [][]byte, count uint32) {
	for i := 0; i < n; {
		j := i + 1
		for j < n && value(j) == value(i) {
			j++
		}
		entries = append(entries, U32(uint32(j-i)), U32(value(i)))
		count++
		i = j
	}
	return entries, count
}

func stbl(t *Track, chunks []chunk, large bool) []byte {
	n := len(t.Samples)
	stts, sttsN := runs(n, func(i int) uint32 {
		if i+1 < n {
			return uint32(t.Samples[i+1].DTS - t.Samples[i].DTS)
		}
		return uint32(lastDelta(t))
	})
	ctts, cttsN := runs(n, func(i int) uint32 { return uint32(t.Samples[i].CTO) })
	anyCTO := false
	var stss [][]byte
	for i, s := range t.Samples {
		anyCTO = anyCTO || s.CTO != 0
		if s.Sync {
			stss = append(stss, U32(uint32(i+1)))
		}
	}
	sizes := [][]byte{Full(0), U32(0), U32(uint32(n))}
	for _, s := range t.Samples {
		sizes = append(sizes, U32(s.Size))
	}
	var stsc [][]byte
	var stscN uint32
	for i, c := range chunks {
		if i == 0 || c.n != chunks[i-1].n {
			stsc = append(stsc, U32(uint32(i+1)), U32(uint32(c.n)), U32(1))
			stscN++
		}
	}
	offsets := [][]byte{Full(0), U32(uint32(len(chunks)))}
	for _, c := range chunks {
		if large {
			offsets = append(offsets, u64(uint64(c.offset)))
		} else {
			offsets = append(offsets, U32(uint32(c.offset)))
		}
	}
	co := "stco"
	if large {
		co = "co64"
	}
	boxes := [][]byte{
		Box("stsd", Full(0), U32(1), t.Entry),
		Box("stts", append([][]byte{Full(0), U32(sttsN)}, stts...)...),
	}
	if anyCTO {
		boxes = append(boxes, Box("ctts", append([][]byte{Full(0), U32(cttsN)}, ctts...)...))
	}
	if len(stss) < n { // without stss every sample is a sync sample
		boxes = append(boxes, Box("stss", append([][]byte{Full(0), U32(uint32(len(stss)))}, stss...)...))
	}
	return Box("stbl", append(boxes,
		Box("stsc", append([][]byte{Full(0), U32(stscN)}, stsc...)...),
		Box("stsz", sizes...),
		Box(co, offsets...))...)
}
