package motion

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Frame is a picture in planar 4:2:0 (yuv420p): Y is W×H, U and V are each
// ceil(W/2)×ceil(H/2).
type Frame struct {
	W, H    int
	Y, U, V []byte
}

// NewFrame allocates a w×h frame.
func NewFrame(w, h int) *Frame {
	cw, ch := (w+1)/2, (h+1)/2
	buf := make([]byte, w*h+2*cw*ch)
	return &Frame{W: w, H: h, Y: buf[:w*h], U: buf[w*h : w*h+cw*ch], V: buf[w*h+cw*ch:]}
}

// Bytes is the frame as rawvideo yuv420p: the three planes back to back. NewFrame keeps them
// in one buffer, so this is that buffer.
func (f *Frame) Bytes() []byte {
	n := len(f.Y) + len(f.U) + len(f.V)
	return f.Y[:n:n]
}

// ReadY4M reads the first frame of a YUV4MPEG2 file in 4:2:0 at 8 bits, as ffmpeg's
// yuv4mpegpipe writes a still.
func ReadY4M(path string) (*Frame, error) { return (*Frames)(nil).ReadY4M(path) }

// ReadY4M is the package's ReadY4M into a frame of fs (give it back with Put).
func (fs *Frames) ReadY4M(path string) (*Frame, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("motion: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	head, err := r.ReadBytes('\n')
	if err != nil || !bytes.HasPrefix(head, []byte("YUV4MPEG2 ")) {
		return nil, fmt.Errorf("motion: %s is not a YUV4MPEG2 file", path)
	}
	w, h, chroma, ok := Y4MHeader(string(head))
	if !ok {
		return nil, fmt.Errorf("motion: %s has no size in its header", path)
	}
	if !Y4M420(chroma) {
		return nil, fmt.Errorf("motion: %s is C%s, not 8-bit 4:2:0", path, chroma)
	}
	if fh, err := r.ReadBytes('\n'); err != nil || !bytes.HasPrefix(fh, []byte("FRAME")) {
		return nil, fmt.Errorf("motion: %s has no frame", path)
	}
	fr := fs.Get(w, h)
	if _, err := io.ReadFull(r, fr.Bytes()); err != nil {
		fs.Put(fr)
		return nil, fmt.Errorf("motion: %s: short frame: %w", path, err)
	}
	return fr, nil
}

// Y4MHeader reads a YUV4MPEG2 header line (with or without its newline): its size and its
// chroma ("420jpeg", the format's default, when it names none). ok is false when the line is
// not such a header or gives no size.
func Y4MHeader(line string) (w, h int, chroma string, ok bool) {
	fields := strings.Fields(line)
	if len(fields) == 0 || fields[0] != "YUV4MPEG2" {
		return 0, 0, "", false
	}
	chroma = "420jpeg"
	for _, f := range fields[1:] {
		switch f[0] {
		case 'W':
			w, _ = strconv.Atoi(f[1:])
		case 'H':
			h, _ = strconv.Atoi(f[1:])
		case 'C':
			chroma = f[1:]
		}
	}
	return w, h, chroma, w > 0 && h > 0
}

// Y4M420 reports whether a YUV4MPEG2 chroma is 8-bit 4:2:0, as ffmpeg's yuv4mpegpipe writes
// a still.
func Y4M420(chroma string) bool {
	switch chroma {
	case "420", "420jpeg", "420mpeg2", "420paldv":
		return true
	}
	return false
}
