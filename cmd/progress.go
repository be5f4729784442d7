package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/mattn/go-isatty"

	"github.com/simvid/simvid/pkg/engine"
	"github.com/simvid/simvid/pkg/ffmpeg"
)

// progressBar draws a bar on a terminal and prints one plain line per stage elsewhere.
type progressBar struct {
	mu    sync.Mutex
	out   io.Writer
	tty   bool
	last  string
	width int
}

func newProgressBar(out io.Writer) *progressBar {
	tty := false
	if f, ok := out.(*os.File); ok {
		tty = isatty.IsTerminal(f.Fd())
	}
	return &progressBar{out: out, tty: tty, width: 30}
}

func (b *progressBar) stage(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s != b.last {
		b.last = s
		if b.tty {
			fmt.Fprintf(b.out, "\r\033[K%s", s)
		} else {
			fmt.Fprintln(b.out, s)
		}
	}
}

func (b *progressBar) update(p engine.Progress) {
	if !b.tty || p.FramesTotal == 0 {
		b.stage(p.Stage)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	frac := float64(p.FramesDone) / float64(p.FramesTotal)
	n := int(frac * float64(b.width))
	fmt.Fprintf(b.out, "\r\033[K%-10s [%s%s] %3.0f%%", p.Stage, strings.Repeat("#", n), strings.Repeat(".", b.width-n), frac*100)
	b.last = p.Stage
}

func (b *progressBar) done() {
	if b.tty {
		fmt.Fprint(b.out, "\r\033[K")
	}
}

func asRunError(err error, re **ffmpeg.RunError) bool { return errors.As(err, re) }
