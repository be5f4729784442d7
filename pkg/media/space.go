package media

import (
	"io"

	"github.com/simvid/simvid/pkg/simvid"
)

// spaceLook is how many bytes a SpaceWriter writes on one look at the free space: other
// writers share the disk, so it looks again that often.
const spaceLook = 1 << 20

// SpaceWriter writes to w only while the data directory's disk keeps at least keep bytes free
// after the write; past that it refuses with EStorageFull before writing, so an upload stops
// at the limit rather than after filling the disk (keep 0: the disk's own end, ENOSPC, is the
// only limit). The caller removes what was written.
func (s *Files) SpaceWriter(w io.Writer, keep uint64) io.Writer {
	if keep == 0 {
		return w
	}
	return &spaceWriter{w: w, st: s, keep: keep}
}

type spaceWriter struct {
	w    io.Writer
	st   *Files
	keep uint64
	room int64 // bytes that may be written before the next look
}

func (g *spaceWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > g.room {
		free, err := g.st.Free()
		switch {
		case err != nil:
			g.room = spaceLook // cannot tell: the write itself fails if it must
		case free < g.keep+uint64(len(p)):
			return 0, simvid.Errorf(simvid.EStorageFull, "the server is out of storage space; please try again later")
		default:
			g.room = int64(min(free-g.keep, spaceLook))
		}
	}
	n, err := g.w.Write(p)
	g.room -= int64(n)
	return n, err
}
