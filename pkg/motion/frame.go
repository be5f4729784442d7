package motion

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
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
	w, h := 0, 0
	for _, tok := range bytes.Fields(head[len("YUV4MPEG2 "):]) {
		switch tok[0] {
		case 'W':
			w, _ = strconv.Atoi(string(tok[1:]))
		case 'H':
			h, _ = strconv.Atoi(string(tok[1:]))
		case 'C':
			switch string(tok) {
			case "C420", "C420jpeg", "C420mpeg2", "C420paldv":
			default:
				return nil, fmt.Errorf("motion: %s is %s, not 8-bit 4:2:0", path, tok)
			}
		}
	}
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("motion: %s has no size in its header", path)
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
