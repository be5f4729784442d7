package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/simvid/simvid/pkg/simvid"
)

// Links routes a music link: yt-dlp for its allowed hosts, simvid's own Client for direct
// media links elsewhere when Direct is set, refused otherwise.
type Links struct {
	YTDLP  *YTDLP  // its Policy.Hosts are the yt-dlp hosts; empty: none
	Direct *Client // nil: direct media links are off
}

// UploadInstead ends every final failure message: a file always works.
const UploadInstead = "; upload a file instead"

// Check says whether a link can be fetched, before any work is queued: coded errors
// (EUnprocessable for a refused link, EUnavailable when yt-dlp is missing). It returns the
// parsed link.
func (m *Links) Check(raw string) (*url.URL, error) {
	u, err := Policy{}.Check(raw)
	if err != nil {
		return nil, err
	}
	if m.viaYTDLP(u) {
		if err := m.YTDLP.Installed(); err != nil {
			return nil, simvid.Wrap(simvid.EUnavailable, err,
				"this server cannot fetch music from links right now (yt-dlp is not installed)"+UploadInstead)
		}
		return u, nil
	}
	if m.Direct != nil {
		return m.Direct.Policy().Check(raw)
	}
	hosts := "none"
	if m.YTDLP != nil && len(m.YTDLP.Policy.Hosts) > 0 {
		hosts = strings.Join(m.YTDLP.Policy.Hosts, ", ")
	}
	return nil, refuse("links from %s are not accepted (accepted sites: %s)%s", u.Hostname(), hosts, UploadInstead)
}

func (m *Links) viaYTDLP(u *url.URL) bool {
	return m.YTDLP != nil && len(m.YTDLP.Policy.Hosts) > 0 && m.YTDLP.Policy.HostAllowed(u.Hostname())
}

// Fetch downloads the music at raw into a scratch directory under the YTDLP's TempDir.
func (m *Links) Fetch(ctx context.Context, raw string, progress func(pct float64)) (*Track, error) {
	u, err := m.Check(raw)
	if err != nil {
		return nil, err
	}
	if m.viaYTDLP(u) {
		return m.YTDLP.Fetch(ctx, u.String(), progress)
	}
	return m.direct(ctx, u.String(), progress)
}

// direct fetches a media file with the Client, held to the same caps as yt-dlp's downloads.
func (m *Links) direct(ctx context.Context, raw string, progress func(float64)) (_ *Track, err error) {
	y := m.YTDLP
	if y == nil {
		y = &YTDLP{}
	}
	dir, err := os.MkdirTemp(y.TempDir, "direct-*")
	if err != nil {
		return nil, fmt.Errorf("fetch: scratch dir: %w", err)
	}
	t := &Track{dir: dir, Path: filepath.Join(dir, "media")}
	defer func() {
		if err != nil {
			t.Remove()
		}
	}()
	res, err := m.Direct.DownloadFile(ctx, raw, t.Path, y.MaxBytes)
	if err != nil {
		return nil, err
	}
	if progress != nil {
		progress(100)
	}
	t.Size, t.Title = res.Size, strings.TrimSuffix(res.Name, filepath.Ext(res.Name))
	if y.Probe != nil {
		if t.Duration, err = y.probe(ctx, t.Path); err != nil {
			return nil, err
		}
	}
	if y.MaxSeconds > 0 && t.Duration > y.MaxSeconds {
		return nil, y.tooLong(t.Duration)
	}
	return t, nil
}

// Final reports whether a fetch error is not worth another attempt.
func Final(err error) bool {
	if errors.Is(err, ErrNotInstalled) {
		return true
	}
	switch simvid.ErrorCode(err) {
	case simvid.EUnprocessable, simvid.ETooLarge, simvid.EUnsupported, simvid.EInvalid, simvid.ENotFound:
		return true
	}
	return false
}

// CheckFile says whether a link to a file (a picture) can be fetched: only simvid's own
// client fetches files, under the same address rules and caps as direct music links; yt-dlp
// never does. It returns the parsed link.
func (m *Links) CheckFile(raw string) (*url.URL, error) {
	if m == nil || m.Direct == nil {
		if _, err := (Policy{}).Check(raw); err != nil {
			return nil, err
		}
		return nil, refuse("this server does not fetch files from links (links.direct_media is off)%s", UploadInstead)
	}
	return m.Direct.Policy().Check(raw)
}

// FetchFile downloads the file at raw to path with the direct client, held to the same size
// cap as music links.
func (m *Links) FetchFile(ctx context.Context, raw, path string) (*Result, error) {
	u, err := m.CheckFile(raw)
	if err != nil {
		return nil, err
	}
	var maxBytes int64
	if m.YTDLP != nil {
		maxBytes = m.YTDLP.MaxBytes
	}
	return m.Direct.DownloadFile(ctx, u.String(), path, maxBytes)
}
