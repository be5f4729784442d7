package media

import (
	"bytes"
	"fmt"
	"os"
)

// id3Size is the length of the ID3v2 tag at the start of head (header, body and footer),
// 0 when there is none.
func id3Size(head []byte) int64 {
	if len(head) < 10 || string(head[:3]) != "ID3" {
		return 0
	}
	n := int64(0)
	for _, b := range head[6:10] { // syncsafe: 7 bits a byte
		if b&0x80 != 0 {
			return 0
		}
		n = n<<7 | int64(b)
	}
	n += 10
	if head[5]&0x10 != 0 { // a footer follows
		n += 10
	}
	return n
}

// afterID3 sniffs what follows the ID3v2 tags at the start of the file at path. An ID3 tag says
// nothing of what follows it: ffmpeg's own format probe skips the tag and reads whatever comes
// next, an HLS playlist included, so a file is sound only when sound follows. Padding (zero
// bytes) between the tag and the first frame is skipped, as MP3 players do.
func afterID3(path string, head []byte) (sniffed, error) {
	f, err := os.Open(path)
	if err != nil {
		return sniffed{}, fmt.Errorf("media: open upload: %w", err)
	}
	defer func() { _ = f.Close() }()
	var off int64
	buf := make([]byte, 4096)
	for range 4 { // a tag after a tag happens; more do not
		n := id3Size(head)
		if n == 0 {
			break
		}
		off += n
		m, _ := f.ReadAt(buf, off)
		head = bytes.TrimLeft(buf[:m], "\x00")
		off += int64(m - len(head))
	}
	if id3Size(head) != 0 {
		return sniffed{"", sniffOther, ""}, nil
	}
	sn := sniff(head)
	if sn.kind != sniffAudio || sn.format == "wav" || sn.format == "ogg" {
		// Not MPEG audio, ADTS or FLAC, the formats whose demuxers read an ID3 tag first.
		return sniffed{"", sniffOther, ""}, nil
	}
	return sn, nil
}

// SniffFile names the format of the file at path as its first bytes say ("mp3", "m4a", "png",
// ...; "" when unknown), looking past ID3 tags as music intake does: the format whose
// demuxer alone ffmpeg may read it with (ffargs.Input). For files that do not come through
// an upload, such as music fetched from a link.
func SniffFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("media: sniff: %w", err)
	}
	head := make([]byte, 512)
	n, _ := f.ReadAt(head, 0)
	_ = f.Close()
	head = head[:n]
	if id3Size(head) == 0 {
		return sniff(head).format, nil
	}
	sn, err := afterID3(path, head)
	return sn.format, err
}
