package ffmpeg

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strings"
)

// Caps is what this machine's ffmpeg can do, probed once at start.
type Caps struct {
	Version     string   // "5.1.9-0+deb12u1"
	Transitions []string // xfade transition names, "custom" left out
	H264        bool     // libx264 encoder present
	AAC         bool     // aac encoder present
}

// Capabilities asks ffmpeg for its version and its xfade transitions (RenderCaps), and its
// encoders.
func (r *Runner) Capabilities(ctx context.Context) (*Caps, error) {
	c, err := r.RenderCaps(ctx)
	if err != nil {
		return nil, err
	}
	enc, err := r.As(KindCaps).output(ctx, r.ffmpeg, []string{"-hide_banner", "-encoders"})
	if err != nil {
		return nil, fmt.Errorf("ffmpeg: encoders: %w", err)
	}
	c.H264 = bytes.Contains(enc, []byte(" libx264 "))
	c.AAC = bytes.Contains(enc, []byte(" aac "))
	return c, nil
}

// RenderCaps is what a render on this machine (simvid render) needs of Capabilities, the
// version (part of every cache key) and the xfade transitions, from one ffmpeg run rather
// than three: a run without -hide_banner prints the version in its banner on stderr beside
// the help on stdout, and every start-up of ffmpeg costs about 0.2 CPU s before it does
// anything. H264 and AAC are left false, unasked: a render without them fails naming the
// encoder.
func (r *Runner) RenderCaps(ctx context.Context) (*Caps, error) {
	help, banner, err := r.As(KindCaps).outputStderr(ctx, r.ffmpeg, []string{"-h", "filter=xfade"})
	if err != nil {
		return nil, fmt.Errorf("ffmpeg: xfade help: %w", err)
	}
	return &Caps{Version: parseVersion([]byte(banner)), Transitions: parseTransitions(help)}, nil
}

// parseVersion reads "ffmpeg version 5.1.9-0+deb12u1 Copyright ..." .
func parseVersion(out []byte) string {
	line, _, _ := strings.Cut(string(out), "\n")
	f := strings.Fields(line)
	if len(f) >= 3 && f[1] == "version" {
		return f[2]
	}
	return strings.TrimSpace(line)
}

// parseTransitions reads the constant names listed under xfade's "transition" option.
func parseTransitions(help []byte) []string {
	var names []string
	in := false
	sc := bufio.NewScanner(bytes.NewReader(help))
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		switch {
		case f[0] == "transition" && strings.HasPrefix(strings.Join(f[1:], " "), "<int>"):
			in = true
		case in && indent >= 5 && len(f) >= 2:
			if f[0] != "custom" {
				names = append(names, f[0])
			}
		case in:
			return names
		}
	}
	return names
}
