package media

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

// OrphanAge is how old an object without a database record must be before the sweep
// removes it. Intake uploads a file before its asset is recorded, and a failed step may leave
// one behind for its retry: a day is far past any of those windows.
const OrphanAge = 24 * time.Hour

// StoredFile is an object of a project in the store, named by the ids in its key: the
// project's, and the asset's (originals, thumbs, audio) or the render's (renders).
type StoredFile struct {
	Object
	ProjectID, AssetID, RenderID string
}

// parseStored reads the ids out of a key projects/<pid>/<dir>/<id>[.ext]; ok is false for
// any other key.
func parseStored(o Object) (StoredFile, bool) {
	parts := strings.Split(o.Key, "/")
	if len(parts) != 4 || parts[0] != "projects" || !simvid.ValidID(simvid.PrefixProject, parts[1]) {
		return StoredFile{}, false
	}
	f := StoredFile{Object: o, ProjectID: parts[1]}
	id, _, _ := strings.Cut(parts[3], ".")
	switch parts[2] {
	case "originals", "thumbs", "audio":
		if !simvid.ValidID(simvid.PrefixImage, id) && !simvid.ValidID(simvid.PrefixAudio, id) {
			return StoredFile{}, false
		}
		f.AssetID = id
	case "renders":
		if !simvid.ValidID(simvid.PrefixRender, id) {
			return StoredFile{}, false
		}
		f.RenderID = id
	default:
		return StoredFile{}, false
	}
	return f, true
}

// SweepResult says what SweepOrphans did.
type SweepResult struct {
	Objects, Removed int
	Freed            int64
}

// SweepOrphans removes the store's project files older than olderThan that recorded says
// have no database record (a project, asset or render deleted while its files stayed, or an
// upload that was never recorded). Keys it cannot read as a project file are left alone,
// and so are cache/ entries: content-addressed, they belong to no record. An error from
// recorded stops the sweep: unsure, it removes nothing more. Without a store it does nothing
// (the data directory is swept with its projects).
func (s *Files) SweepOrphans(ctx context.Context, olderThan time.Duration,
	recorded func(context.Context, StoredFile) (bool, error)) (SweepResult, error) {
	var res SweepResult
	if s.remote == nil {
		return res, nil
	}
	cutoff := time.Now().Add(-olderThan)
	var orphans []StoredFile
	err := s.remote.List(ctx, "projects/", func(o Object) error {
		res.Objects++
		f, ok := parseStored(o)
		if !ok || !o.Modified.Before(cutoff) {
			return nil
		}
		known, err := recorded(ctx, f)
		if err != nil {
			return err
		}
		if !known {
			orphans = append(orphans, f)
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("media: sweep orphans: %w", err)
	}
	for _, f := range orphans {
		if err := s.remote.Delete(ctx, f.Key); err != nil {
			return res, fmt.Errorf("media: sweep orphans: %w", err)
		}
		res.Removed++
		res.Freed += f.Size
	}
	return res, nil
}
