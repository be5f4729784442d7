package service

import (
	"context"

	"github.com/simvid/simvid/pkg/simvid"
)

// AssetPreview is the file that shows an asset to an operator: a picture's thumbnail or the
// music's working copy, never the original.
type AssetPreview struct {
	Asset       *simvid.Asset
	Path        string // may not exist yet (still being prepared)
	ContentType string
}

// AssetPreview finds the preview of asset id.
func (s *Service) AssetPreview(ctx context.Context, id string) (AssetPreview, error) {
	if !simvid.ValidID(simvid.PrefixImage, id) && !simvid.ValidID(simvid.PrefixAudio, id) {
		return AssetPreview{}, simvid.Errorf(simvid.ENotFound, "asset not found")
	}
	a, err := s.store.GetAsset(ctx, id)
	if err != nil {
		return AssetPreview{}, err
	}
	v := AssetPreview{Asset: a, ContentType: "image/jpeg"}
	if a.Kind == simvid.KindAudio {
		v.Path, err = s.files.AudioWork(a.ProjectID, a.ID)
		v.ContentType = "audio/flac"
	} else {
		v.Path, err = s.files.Thumbnail(a.ProjectID, a.ID)
	}
	if err != nil {
		return AssetPreview{}, err
	}
	return v, nil
}
