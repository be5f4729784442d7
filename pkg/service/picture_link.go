package service

import (
	"context"
	"net/url"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/fetch"
	"github.com/simvid/simvid/pkg/simvid"
)

// AddImageLink records a picture to be fetched from a link into a project (for a one-call
// render): the asset starts in state fetching and the audio queue fetches it with simvid's
// own client, under the same address rules and size cap as music links; a render using it
// waits in preparing. The link is checked here, so a refused one answers at once.
func (s *Service) AddImageLink(ctx context.Context, projectID, rawURL string) (*simvid.Asset, error) {
	p, err := s.GetProject(ctx, projectID)
	if err != nil {
		return nil, err
	}
	u, err := s.links.CheckFile(rawURL)
	if err != nil {
		return nil, err
	}
	if err := s.checkDisk(); err != nil {
		return nil, err
	}
	n, err := s.store.ListAssets(ctx, p.ID, simvid.KindImage)
	if err != nil {
		return nil, err
	}
	if s.limits.ImagesPerProject > 0 && len(n) >= s.limits.ImagesPerProject {
		return nil, simvid.Errorf(simvid.ETooLarge, "a project may hold at most %d pictures", s.limits.ImagesPerProject)
	}
	a := &simvid.Asset{ID: simvid.NewID(simvid.PrefixImage), ProjectID: p.ID, Kind: simvid.KindImage,
		State: simvid.AssetFetching, OriginalName: linkName(u), SourceURL: u.String()}
	if err := s.store.CreateAsset(ctx, a); err != nil {
		return nil, err
	}
	if err := s.queue.EnqueueFetchImage(ctx, a.ID); err != nil {
		// The reconciler enqueues it once the queue is back.
		s.log.Warn("enqueue picture fetch", zap.String("asset_id", a.ID), zap.Error(err))
	}
	return a, nil
}

// CheckMusicLink says at once whether a music link could be fetched, and returns it parsed
// (SetMusicLink checks the same), so that a request can be refused before anything is made.
func (s *Service) CheckMusicLink(rawURL string) (*url.URL, error) {
	if s.links == nil {
		return nil, simvid.Errorf(simvid.EUnavailable, "this server does not fetch music from links"+fetch.UploadInstead)
	}
	return s.links.Check(rawURL)
}

// CheckPictureLink checks a picture link as CheckMusicLink checks a music link.
func (s *Service) CheckPictureLink(rawURL string) (*url.URL, error) {
	if s.links == nil {
		return nil, simvid.Errorf(simvid.EUnavailable, "this server does not fetch pictures from links"+fetch.UploadInstead)
	}
	return s.links.CheckFile(rawURL)
}
