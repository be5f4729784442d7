package service

import (
	"context"

	"github.com/simvid/simvid/pkg/simvid"
)

// AssetPreview returns the file that shows asset id to an operator: a picture's thumbnail or
// the music's working copy, never the original. One still being prepared is not found.
func (s *Service) AssetPreview(ctx context.Context, id string) (*File, error) {
	if !simvid.ValidID(simvid.PrefixImage, id) && !simvid.ValidID(simvid.PrefixAudio, id) {
		return nil, simvid.Errorf(simvid.ENotFound, "asset not found")
	}
	a, err := s.store.GetAsset(ctx, id)
	if err != nil {
		return nil, err
	}
	path, name, ctype := "", a.ID+".jpg", "image/jpeg"
	if a.Kind == simvid.KindAudio {
		path, err = s.files.AudioWork(a.ProjectID, a.ID)
		name, ctype = a.ID+".flac", "audio/flac"
	} else {
		path, err = s.files.Thumbnail(a.ProjectID, a.ID)
	}
	if err != nil {
		return nil, err
	}
	f, err := s.cached(ctx, path, name, ctype, a.ID)
	if simvid.IsCode(err, simvid.ENotFound) {
		return nil, simvid.Errorf(simvid.ENotFound, "the preview of %s is not there (yet)", a.ID)
	}
	return f, err
}
