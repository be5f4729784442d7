package service_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
)

// seam is a Service over a temporary SQLite store and data directory, with no queue: enough
// for what reads files and records, and starts nothing.
type seam struct {
	svc   *service.Service
	st    store.Store
	files *media.Files
}

func newSeam(t *testing.T, lim service.Limits) *seam {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), "", dir, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	files, err := media.NewFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &seam{svc: service.New(service.Deps{Store: st, Files: files, Limits: lim, Log: zap.NewNop()}), st: st, files: files}
}

func (s *seam) project(t *testing.T, owner string) *simvid.Project {
	t.Helper()
	p, err := s.svc.CreateProject(context.Background(), nil, owner)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (s *seam) asset(t *testing.T, projectID, prefix, kind string, state simvid.AssetState) *simvid.Asset {
	t.Helper()
	a := &simvid.Asset{ID: simvid.NewID(prefix), ProjectID: projectID, Kind: kind, State: state, OriginalName: "f", Size: 1, Format: "x"}
	if err := s.st.CreateAsset(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func seamWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
}

func seamRead(t *testing.T, f *service.File) string {
	t.Helper()
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func seamWantError(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	if simvid.ErrorCode(err) != code || simvid.ErrorMessage(err) != msg {
		t.Errorf("%s: %v (code %q); want %s %q", what, err, simvid.ErrorCode(err), code, msg)
	}
}

// Each stored file a handler sends comes from the service with its type, ETag and name,
// and only to the project it belongs to.
func TestServiceFiles(t *testing.T) {
	ctx := context.Background()
	s := newSeam(t, service.Limits{})
	p, other := s.project(t, ""), s.project(t, "")

	pic := s.asset(t, p.ID, simvid.PrefixImage, simvid.KindImage, simvid.AssetReady)
	path, _ := s.files.Thumbnail(p.ID, pic.ID)
	seamWrite(t, path, "thumb")
	f, err := s.svc.Thumbnail(ctx, p.ID, pic.ID)
	if err != nil {
		t.Fatal(err)
	}
	if f.ContentType != "image/jpeg" || f.ETag != pic.ID || f.Size != 5 || f.ModTime.IsZero() || seamRead(t, f) != "thumb" {
		t.Errorf("thumbnail: %+v", f)
	}
	_, err = s.svc.Thumbnail(ctx, other.ID, pic.ID)
	seamWantError(t, "another project's picture", err, simvid.ENotFound, "picture not found")
	_, err = s.svc.Thumbnail(ctx, p.ID, "../../etc/passwd")
	seamWantError(t, "a picture id that is a path", err, simvid.ENotFound, "picture not found")
	gone := s.asset(t, p.ID, simvid.PrefixImage, simvid.KindImage, simvid.AssetReady)
	_, err = s.svc.Thumbnail(ctx, p.ID, gone.ID)
	seamWantError(t, "a picture without its thumbnail", err, simvid.ENotFound, "file not found")

	_, err = s.svc.MusicAudio(ctx, p.ID)
	seamWantError(t, "a project without music", err, simvid.ENotFound, "the project has no music")
	music := s.asset(t, p.ID, simvid.PrefixAudio, simvid.KindAudio, simvid.AssetProcessing)
	if _, err := s.st.UpdateProject(ctx, p.ID, func(p *simvid.Project) error {
		p.Spec.Audio = []simvid.AudioClip{{Asset: music.ID}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	_, err = s.svc.MusicAudio(ctx, p.ID)
	seamWantError(t, "music being prepared", err, simvid.EConflict, "the music is not ready yet (processing)")
	if _, err := s.st.UpdateAsset(ctx, music.ID, func(a *simvid.Asset) error { a.State = simvid.AssetReady; return nil }); err != nil {
		t.Fatal(err)
	}
	path, _ = s.files.AudioWork(p.ID, music.ID)
	seamWrite(t, path, "flac")
	if f, err := s.svc.MusicAudio(ctx, p.ID); err != nil || f.ContentType != "audio/flac" || f.ETag != music.ID || seamRead(t, f) != "flac" {
		t.Errorf("music: %+v %v", f, err)
	}

	r := &simvid.Render{ID: simvid.NewID(simvid.PrefixRender), ProjectID: p.ID, State: simvid.StateDone}
	path, _ = s.files.RenderVideo(p.ID, r.ID)
	seamWrite(t, path, "mp4")
	path, _ = s.files.RenderPoster(p.ID, r.ID)
	seamWrite(t, path, "jpg")
	if f, err := s.svc.RenderVideo(ctx, r); err != nil || f.Name != "slideshow_"+r.ID+".mp4" || f.ContentType != "video/mp4" || f.ETag != r.ID || seamRead(t, f) != "mp4" {
		t.Errorf("video: %+v %v", f, err)
	}
	if f, err := s.svc.RenderPoster(ctx, r); err != nil || f.ContentType != "image/jpeg" || f.ETag != r.ID+"-poster" || seamRead(t, f) != "jpg" {
		t.Errorf("poster: %+v %v", f, err)
	}
}

// An upload is received into the data directory within the disk's reserve, read back as
// written, and removed by its receiver.
func TestUploadFile(t *testing.T) {
	s := newSeam(t, service.Limits{})
	u, err := s.svc.NewUploadFile()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(u, "picture bytes"); err != nil {
		t.Fatal(err)
	}
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	rc, err := u.Open()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "picture bytes" {
		t.Errorf("read back %q", b)
	}
	if err := u.Remove(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(s.files.TmpDir()); len(left) != 0 {
		t.Errorf("left in tmp/ after Remove: %v", left)
	}

	full := newSeam(t, service.Limits{MinFreeDisk: 1 << 62}) // more than any disk has
	u, err = full.svc.NewUploadFile()
	if err != nil {
		t.Fatal(err)
	}
	defer u.Remove()
	_, err = io.WriteString(u, "x")
	seamWantError(t, "a write past the disk's reserve", err, simvid.EStorageFull, "the server is out of storage space; please try again later")
	u.Close()
}

// A key's projects, and a render's webhook deliveries, are read through the service; no id
// lists every render's.
func TestKeyProjectsAndDeliveries(t *testing.T) {
	ctx := context.Background()
	s := newSeam(t, service.Limits{})
	mine := s.project(t, "key_a")
	s.project(t, "key_b")
	s.project(t, "")
	ps, err := s.svc.KeyProjects(ctx, "key_a", 500)
	if err != nil || len(ps) != 1 || ps[0].ID != mine.ID {
		t.Errorf("KeyProjects(key_a): %v %v; want only %s", ps, err, mine.ID)
	}
	if ds, err := s.svc.WebhookDeliveries(ctx, simvid.NewID(simvid.PrefixRender), 200); err != nil || len(ds) != 0 {
		t.Errorf("deliveries of a render without any: %v %v", ds, err)
	}
	_, err = s.svc.WebhookDeliveries(ctx, "", 200)
	seamWantError(t, "deliveries of no render", err, simvid.ENotFound, "render not found")
	if err := s.svc.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}
