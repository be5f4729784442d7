package service

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

// File is a stored file to send: a finished video or its poster, a picture's thumbnail, the
// music's working copy. It carries what an HTTP answer needs (http.ServeContent gives Range,
// conditional requests and HEAD from it), so that handlers never see where files are kept.
// Over an object store a video or poster may instead have a URL: a short-lived signed link
// to the store, where the client is sent.
type File struct {
	Name        string // the name to save it as ("slideshow_<render id>.mp4")
	ContentType string
	ETag        string // unquoted; strong, as what is under an id never changes once written
	Size        int64
	ModTime     time.Time
	Open        func() (io.ReadSeekCloser, error)
	URL         string // when set, send the client there instead of the content
}

// Downloads says how finished videos and posters leave when files live in an object store.
type Downloads struct {
	// Stream sends them through this server, for stores that clients cannot reach; otherwise
	// clients are redirected to a signed link to the store, which saves the server the bytes.
	Stream  bool
	LinkTTL time.Duration // how long a signed link works
}

// output returns a render's file at path: a signed link to the store when files live there
// and Downloads do not stream, else the file streamed from this host's copy or the store.
func (s *Service) output(ctx context.Context, path, name, ctype, etag string) (*File, error) {
	if !s.downloads.Stream {
		url, err := s.files.Link(ctx, path, s.downloads.LinkTTL, name)
		if err != nil {
			return nil, err
		}
		if url != "" {
			return &File{Name: name, ContentType: ctype, ETag: etag, URL: url}, nil
		}
	}
	rc, obj, err := s.files.OpenStored(ctx, path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, simvid.Errorf(simvid.ENotFound, "file not found")
	} else if err != nil {
		return nil, err
	}
	opened := false
	return &File{
		Name: name, ContentType: ctype, ETag: etag, Size: obj.Size, ModTime: obj.Modified,
		Open: func() (io.ReadSeekCloser, error) {
			if opened { // one answer reads it once; a second open starts again
				rc, _, err := s.files.OpenStored(ctx, path)
				return rc, err
			}
			opened = true
			return rc, nil
		},
	}, nil
}

// cached returns the file at path from this host's disk, fetching it from the store first
// when it is only there (thumbnails and music: small, asked for often, worth a local copy).
func (s *Service) cached(ctx context.Context, path, name, ctype, etag string) (*File, error) {
	local, err := s.files.Local(ctx, path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, simvid.Errorf(simvid.ENotFound, "file not found")
	} else if err != nil {
		return nil, err
	}
	return localFile(local, name, ctype, etag)
}

// localFile describes the file at path, or ENotFound when there is none.
func localFile(path, name, ctype, etag string) (*File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, simvid.Errorf(simvid.ENotFound, "file not found")
	}
	return &File{
		Name: name, ContentType: ctype, ETag: etag, Size: st.Size(), ModTime: st.ModTime(),
		Open: func() (io.ReadSeekCloser, error) { return os.Open(path) },
	}, nil
}

// RenderVideo returns the video of render r, which the caller has found done.
func (s *Service) RenderVideo(ctx context.Context, r *simvid.Render) (*File, error) {
	path, err := s.files.RenderVideo(r.ProjectID, r.ID)
	if err != nil {
		return nil, err
	}
	return s.output(ctx, path, "slideshow_"+r.ID+".mp4", "video/mp4", r.ID)
}

// RenderPoster returns the poster (a still of the video) of render r, which the caller has
// found done.
func (s *Service) RenderPoster(ctx context.Context, r *simvid.Render) (*File, error) {
	path, err := s.files.RenderPoster(r.ProjectID, r.ID)
	if err != nil {
		return nil, err
	}
	return s.output(ctx, path, "slideshow_"+r.ID+".jpg", "image/jpeg", r.ID+"-poster")
}

// Thumbnail returns the thumbnail of picture assetID of project projectID; a picture of
// another project is not found.
func (s *Service) Thumbnail(ctx context.Context, projectID, assetID string) (*File, error) {
	a, err := s.projectAsset(ctx, projectID, assetID, simvid.PrefixImage, "picture")
	if err != nil {
		return nil, err
	}
	path, err := s.files.Thumbnail(a.ProjectID, a.ID)
	if err != nil {
		return nil, err
	}
	return s.cached(ctx, path, a.ID+".jpg", "image/jpeg", a.ID)
}

// MusicAudio returns a project's music as its 48 kHz FLAC working copy, for the page to play
// the chosen part; the upload itself is never served. Music still being prepared is a
// conflict.
func (s *Service) MusicAudio(ctx context.Context, projectID string) (*File, error) {
	p, err := s.GetProject(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if len(p.Spec.Audio) == 0 {
		return nil, simvid.Errorf(simvid.ENotFound, "the project has no music")
	}
	a, err := s.projectAsset(ctx, projectID, p.Spec.Audio[0].Asset, simvid.PrefixAudio, "music")
	if err != nil {
		return nil, err
	}
	if a.State != simvid.AssetReady {
		return nil, simvid.Errorf(simvid.EConflict, "the music is not ready yet (%s)", a.State)
	}
	path, err := s.files.AudioWork(a.ProjectID, a.ID)
	if err != nil {
		return nil, err
	}
	return s.cached(ctx, path, a.ID+".flac", "audio/flac", a.ID)
}

// projectAsset returns asset id of project projectID, or ENotFound naming what (a "picture",
// "music") for an invalid id, an unknown one, or one of another project.
func (s *Service) projectAsset(ctx context.Context, projectID, id, prefix, what string) (*simvid.Asset, error) {
	if !simvid.ValidID(simvid.PrefixProject, projectID) || !simvid.ValidID(prefix, id) {
		return nil, simvid.Errorf(simvid.ENotFound, "%s not found", what)
	}
	a, err := s.store.GetAsset(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.ProjectID != projectID {
		return nil, simvid.Errorf(simvid.ENotFound, "%s not found", what)
	}
	return a, nil
}

// UploadFile is one file of an upload as it is received: a temporary file in the data
// directory that intake reads once the request is whole. Its writes stop short of the disk's
// reserve (Limits.MinFreeDisk) with EStorageFull, so an upload ends at the limit rather than
// after filling the disk. The receiver removes it when done.
type UploadFile struct {
	f *os.File
	w io.Writer
}

// NewUploadFile makes an empty UploadFile.
func (s *Service) NewUploadFile() (*UploadFile, error) {
	f, err := s.files.CreateTemp("upload-*")
	if err != nil {
		return nil, err
	}
	return &UploadFile{f: f, w: s.files.SpaceWriter(f, s.limits.MinFreeDisk)}, nil
}

// Write appends to the file, within the disk's reserve.
func (u *UploadFile) Write(p []byte) (int, error) { return u.w.Write(p) }

// Close ends the writing.
func (u *UploadFile) Close() error { return u.f.Close() }

// Open reads the file from its start; it is Upload.Open.
func (u *UploadFile) Open() (io.ReadCloser, error) { return os.Open(u.f.Name()) }

// Remove deletes the file.
func (u *UploadFile) Remove() error { return os.Remove(u.f.Name()) }
