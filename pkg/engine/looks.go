package engine

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/render/font"
)

// files writes what the captions among cs need (the embedded font and each caption's text,
// in files named by hashes) and returns their paths. Nothing is written without a caption.
func (e *Engine) files(cs ...*render.Caption) (render.Files, error) {
	f := render.Files{CaptionDir: filepath.Join(e.cache, "captions")}
	any := false
	for _, c := range cs {
		if c == nil {
			continue
		}
		any = true
		for i, line := range c.Lines {
			if _, err := produceLocal(c.LinePath(f.CaptionDir, i), func(tmp string) error {
				return os.WriteFile(tmp, []byte(line), 0o644)
			}); err != nil {
				return f, fmt.Errorf("engine: caption: %w", err)
			}
		}
	}
	if !any {
		return f, nil
	}
	var err error
	if f.Font, err = font.Write(filepath.Join(e.cache, "fonts")); err != nil {
		return f, fmt.Errorf("engine: %w", err)
	}
	return f, nil
}

// stillArgs is render.StillArgsWith with the still's caption files written.
func (e *Engine) stillArgs(st render.Still, src, out string) ([]string, error) {
	f, err := e.files(st.Caption)
	if err != nil {
		return nil, err
	}
	return render.StillArgsWith(st, src, out, f)
}

// segmentArgs is render.SegmentArgsWith with the segment's caption files written.
func (e *Engine) segmentArgs(seg render.Segment, stills []string, out string, enc render.Encoder) ([]string, error) {
	f, err := e.files(seg.Captions...)
	if err != nil {
		return nil, err
	}
	return render.SegmentArgsWith(seg, stills, out, enc, f)
}
