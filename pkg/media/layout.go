// Package media takes in uploads (size limit, magic-byte sniff, header-only pixel limit,
// EXIF orientation; a picture's one decode into its thumbnail and render still; music's
// ffprobe, working copy and waveform) and owns the layout of the files on disk.
//
// Every file lives under the data directory and is named only by ids, never by text a user
// typed. The path methods check the ids again and return an error for anything that is not
// a valid id of the right kind, so a bad id can never become a path:
//
//	projects/<pid>/originals/<aid>     the upload as received (never served)
//	projects/<pid>/thumbs/<aid>.jpg    400 px upright thumbnail (a clip's: its poster frame)
//	projects/<pid>/thumbs/<aid>.strip.jpg  a clip's filmstrip: FilmstripFrames frames side by side
//	projects/<pid>/audio/<aid>.flac    48 kHz stereo working copy of music
//	projects/<pid>/renders/<rid>.mp4   finished video, and <rid>.jpg its poster
//	cache/                             content-addressed render segments (shared)
//	tmp/                               temp files; swept when older than TempMaxAge
//
// Writers never write in place: they fill a file from CreateTemp (or MkdirTemp) and hand it
// to Commit, which renames it into place atomically. Readers see a whole file or none.
//
// Over an S3-compatible object store (NewRemoteFiles, storage.url) the same calls hold, and
// hosts share no directory: the part of a path after the data directory is its object key;
// Commit renames locally and then uploads, so an object appears only when whole (cache/
// entries with PutFileOnce: content-addressed, written once); a reader that needs a local
// file (ffmpeg) calls Local, which fetches a missing file into its place here; DeleteProject
// and DeleteAsset delete the prefix and the keys too. The data directory is then scratch
// space and a bounded cache of stored files (TrimLocal); tmp/ stays local.
package media

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/simvid/simvid/pkg/simvid"
)

// Files is the layout of the data directory. It holds no state besides the root and is safe
// for concurrent use.
type Files struct {
	root       string
	remote     Remote // nil: the data directory is the store
	localBytes int64  // over a store: the bound of the local copies (0: none)
	fetches    singleflight.Group

	trimMu   sync.Mutex
	trimming bool
	lastTrim time.Time
}

// NewFiles makes sure dataDir holds projects/, cache/ and tmp/ and returns its Files.
func NewFiles(dataDir string) (*Files, error) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("media: data dir %q: %w", dataDir, err)
	}
	for _, d := range []string{"projects", "cache", "tmp"} {
		if err := os.MkdirAll(filepath.Join(abs, d), 0o750); err != nil {
			return nil, fmt.Errorf("media: create %s: %w", d, err)
		}
	}
	return &Files{root: abs}, nil
}

// Root returns the data directory.
func (s *Files) Root() string { return s.root }

// CacheDir is where content-addressed derived files (render segments) live.
func (s *Files) CacheDir() string { return filepath.Join(s.root, "cache") }

// TmpDir is the scratch directory on the same file system as everything else, so that a
// rename from it is atomic.
func (s *Files) TmpDir() string { return filepath.Join(s.root, "tmp") }

// ProjectDir returns projects/<pid>.
func (s *Files) ProjectDir(projectID string) (string, error) {
	if !simvid.ValidID(simvid.PrefixProject, projectID) {
		return "", fmt.Errorf("media: %q is not a project id", projectID)
	}
	return filepath.Join(s.root, "projects", projectID), nil
}

// Original returns projects/<pid>/originals/<aid>: the upload as received. It is never
// served to anyone.
func (s *Files) Original(projectID, assetID string) (string, error) {
	return s.assetPath(projectID, assetID, "originals", "", simvid.PrefixImage, simvid.PrefixAudio)
}

// Thumbnail returns projects/<pid>/thumbs/<aid>.jpg.
func (s *Files) Thumbnail(projectID, assetID string) (string, error) {
	return s.assetPath(projectID, assetID, "thumbs", ".jpg", simvid.PrefixImage, simvid.PrefixAudio)
}

// Filmstrip returns projects/<pid>/thumbs/<aid>.strip.jpg: a clip's frames in one sprite.
func (s *Files) Filmstrip(projectID, assetID string) (string, error) {
	return s.assetPath(projectID, assetID, "thumbs", ".strip.jpg", simvid.PrefixImage)
}

// AudioWork returns projects/<pid>/audio/<aid>.flac: the 48 kHz stereo working copy.
func (s *Files) AudioWork(projectID, assetID string) (string, error) {
	return s.assetPath(projectID, assetID, "audio", ".flac", simvid.PrefixAudio)
}

// RenderVideo returns projects/<pid>/renders/<rid>.mp4.
func (s *Files) RenderVideo(projectID, renderID string) (string, error) {
	return s.assetPath(projectID, renderID, "renders", ".mp4", simvid.PrefixRender)
}

// RenderPoster returns projects/<pid>/renders/<rid>.jpg.
func (s *Files) RenderPoster(projectID, renderID string) (string, error) {
	return s.assetPath(projectID, renderID, "renders", ".jpg", simvid.PrefixRender)
}

// assetPath joins a file path after checking both ids; id must carry one of prefixes.
func (s *Files) assetPath(projectID, id, dir, ext string, prefixes ...string) (string, error) {
	pdir, err := s.ProjectDir(projectID)
	if err != nil {
		return "", err
	}
	for _, p := range prefixes {
		if simvid.ValidID(p, id) {
			return filepath.Join(pdir, dir, id+ext), nil
		}
	}
	return "", fmt.Errorf("media: %q is not a valid %s id", id, dir)
}
