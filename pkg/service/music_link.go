package service

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/simvid/simvid/pkg/simvid"
)

// SetMusicLink makes the music at a link the project's music (replacing any before it): the
// asset is recorded in state fetching and the audio queue fetches, checks and prepares it.
// start and end trim it (end 0: to the end). The link is checked here, so a refused link or
// a server without yt-dlp answers at once.
func (s *Service) SetMusicLink(ctx context.Context, projectID, rawURL string, start, end float64) (*simvid.Project, *simvid.Asset, error) {
	p, err := s.GetProject(ctx, projectID)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.CheckMusicLink(rawURL)
	if err != nil {
		return nil, nil, err
	}
	clip := simvid.AudioClip{Start: start, End: end}
	if err := checkClip(clip, 0); err != nil {
		return nil, nil, err
	}
	if lim := s.linkSeconds(); lim > 0 && (start >= lim || end > lim) {
		return nil, nil, simvid.Errorf(simvid.EUnprocessable, "music start and end must be within the first %.0f seconds (the longest track a link may give)", lim)
	}
	if err := s.checkDisk(); err != nil {
		return nil, nil, err
	}
	a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixAudio), ProjectID: p.ID, Kind: simvid.KindAudio,
		State: simvid.AssetFetching, OriginalName: linkName(u), SourceURL: u.String()}
	clip.Asset = a.ID
	p, err = s.useMusic(ctx, p.ID, a, clip)
	if err != nil {
		return nil, nil, err
	}
	return p, a, nil
}

// WaitMusic waits, at most max, until a music asset is ready or failed, and returns it as it
// then is (still fetching or processing when the wait ran out).
func (s *Service) WaitMusic(ctx context.Context, assetID string, max time.Duration) (*simvid.Asset, error) {
	deadline := time.Now().Add(max)
	for {
		a, err := s.store.GetAsset(ctx, assetID)
		if err != nil {
			return nil, err
		}
		if a.State == simvid.AssetReady || a.State == simvid.AssetFailed || time.Now().After(deadline) {
			return a, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (s *Service) linkSeconds() float64 {
	if s.links == nil || s.links.YTDLP == nil {
		return 0
	}
	return s.links.YTDLP.MaxSeconds
}

// linkName is what the music is called until its title is known: host and path, shortened.
func linkName(u *url.URL) string {
	name := strings.TrimPrefix(u.Hostname(), "www.") + u.EscapedPath()
	if u.RawQuery != "" {
		name += "?" + u.RawQuery
	}
	if utf8.RuneCountInString(name) > 80 {
		name = string([]rune(name)[:79]) + "…"
	}
	return name
}

// LinkInfo tells clients which music links this server takes (GET /api/v1/capabilities).
type LinkInfo struct {
	Enabled     bool     `json:"enabled"`      // some link can be fetched now
	YTDLP       bool     `json:"yt_dlp"`       // yt-dlp is installed for Hosts
	Hosts       []string `json:"hosts"`        // sites fetched with yt-dlp
	DirectMedia bool     `json:"direct_media"` // direct links to media files on other sites
	MaxSeconds  float64  `json:"max_seconds"`
	MaxBytes    int64    `json:"max_bytes"`
}

// MusicLinks describes the music links this server takes.
func (s *Service) MusicLinks() LinkInfo {
	info := LinkInfo{Hosts: []string{}}
	if s.links == nil {
		return info
	}
	if y := s.links.YTDLP; y != nil {
		info.Hosts = append(info.Hosts, y.Policy.Hosts...)
		info.YTDLP = len(y.Policy.Hosts) > 0 && y.Installed() == nil
		info.MaxSeconds, info.MaxBytes = y.MaxSeconds, y.MaxBytes
	}
	info.DirectMedia = s.links.Direct != nil
	info.Enabled = info.YTDLP || info.DirectMedia
	return info
}
