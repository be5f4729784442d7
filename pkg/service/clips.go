package service

import (
	"context"
	"fmt"

	"github.com/simvid/simvid/pkg/simvid"
)

// clipTypes are the content types of the containers intake takes as clips.
var clipTypes = map[string][2]string{
	"mp4": {"video/mp4", ".mp4"}, "mov": {"video/quicktime", ".mov"}, "3gp": {"video/3gpp", ".3gp"},
	"webm": {"video/webm", ".webm"}, "matroska": {"video/x-matroska", ".mkv"},
}

// clipAsset returns clip assetID of project projectID; anything else is not found.
func (s *Service) clipAsset(ctx context.Context, projectID, assetID string) (*simvid.Asset, error) {
	a, err := s.projectAsset(ctx, projectID, assetID, simvid.PrefixImage, "clip")
	if err != nil {
		return nil, err
	}
	if a.Kind != simvid.KindClip {
		return nil, simvid.Errorf(simvid.ENotFound, "clip not found")
	}
	return a, nil
}

// Filmstrip returns a clip's filmstrip: media.FilmstripFrames frames side by side in one
// JPEG, for the page's trim handles.
func (s *Service) Filmstrip(ctx context.Context, projectID, assetID string) (*File, error) {
	a, err := s.clipAsset(ctx, projectID, assetID)
	if err != nil {
		return nil, err
	}
	path, err := s.files.Filmstrip(a.ProjectID, a.ID)
	if err != nil {
		return nil, err
	}
	return s.cached(ctx, path, a.ID+".strip.jpg", "image/jpeg", a.ID+"-strip")
}

// ClipVideo returns a clip as uploaded, for the page to preview it (with Range). Unlike a
// picture's original it is served, to the project only: a browser plays it as it is.
func (s *Service) ClipVideo(ctx context.Context, projectID, assetID string) (*File, error) {
	a, err := s.clipAsset(ctx, projectID, assetID)
	if err != nil {
		return nil, err
	}
	path, err := s.files.Original(a.ProjectID, a.ID)
	if err != nil {
		return nil, err
	}
	t, ok := clipTypes[a.Format]
	if !ok {
		t = [2]string{"application/octet-stream", ""}
	}
	return s.output(ctx, path, a.ID+t[1], t[0], a.ID+"-clip")
}

// checkClipSlides checks the clip fields of every slide that sets them, or shows a clip,
// against its asset (simvid.CheckClipSlide). Only those slides cost a lookup.
func (s *Service) checkClipSlides(ctx context.Context, spec *simvid.Spec, prefix string) error {
	for i := range spec.Slides {
		sl := &spec.Slides[i]
		if !sl.HasClipFields() {
			continue
		}
		a, err := s.store.GetAsset(ctx, sl.Asset)
		if err != nil {
			if simvid.IsCode(err, simvid.ENotFound) {
				continue // said elsewhere: the render refuses a missing picture
			}
			return err
		}
		if err := simvid.CheckClipSlide(fmt.Sprintf("%sslides[%d]", prefix, i), sl, a); err != nil {
			return err
		}
	}
	return nil
}
