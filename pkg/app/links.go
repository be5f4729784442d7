package app

import (
	"context"
	"io"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/fetch"
	"github.com/simvid/simvid/pkg/media"
)

// buildLinks makes the music-link fetcher from the configuration: yt-dlp for the allowed
// hosts, simvid's own client for direct media links when they are on. A missing yt-dlp is
// not fatal: links say so and everything else works.
func (a *App) buildLinks() (*fetch.Links, error) {
	l := a.cfg.Links
	ytPolicy, err := fetch.NewPolicy(l.AllowedHosts, l.AllowNetworks)
	if err != nil {
		return nil, err
	}
	maxBytes, maxDur := a.cfg.LinkCaps()
	probeTimeout := a.cfg.FFmpeg.ProbeTimeout
	y := &fetch.YTDLP{Path: l.YTDLP, Policy: ytPolicy, MaxBytes: maxBytes, MaxSeconds: maxDur.Seconds(),
		Timeout: l.Timeout, TempDir: a.media.TmpDir(), Nice: a.cfg.Limits.ChildNice, Log: a.log.Named("yt-dlp"),
		Probe: func(ctx context.Context, path string) (float64, error) {
			// Read as what it is and nothing else: see ffargs.Input.
			format, err := media.SniffFile(path)
			if err != nil {
				return 0, err
			}
			p, err := a.ff.ProbeInput(ctx, format, path, probeTimeout)
			if err != nil {
				return 0, err
			}
			return p.Duration(), nil
		}}
	m := &fetch.Links{YTDLP: y}
	if l.DirectMedia {
		direct, _ := fetch.NewPolicy(nil, l.AllowNetworks)
		keep := uint64(a.cfg.Limits.MinFreeDisk)
		m.Direct = fetch.NewClient(direct, l.Timeout, fetch.WithWriteGuard(func(w io.Writer) io.Writer { return a.media.SpaceWriter(w, keep) }))
	}
	if len(l.AllowedHosts) > 0 {
		if err := y.Installed(); err != nil {
			a.log.Warn("yt-dlp is not installed: music links will be refused until it is (apt-get install yt-dlp, or set links.yt_dlp)",
				zap.String("yt_dlp", l.YTDLP))
		}
	}
	return m, nil
}
