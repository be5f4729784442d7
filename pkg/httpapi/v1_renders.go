package httpapi

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/simvid"
)

func (s *Server) startRender(c echo.Context) error {
	var in renderOptions
	if err := readJSON(c, &in, true); err != nil {
		return err
	}
	if err := s.checkRenderOptions(c, &in); err != nil {
		return err
	}
	var r *simvid.Render
	var err error
	if in.Preview {
		if in.CallbackURL != "" {
			return simvid.Errorf(simvid.EUnprocessable, "callback_url: previews are not announced; leave it out or render without preview")
		}
		r, err = s.svc.StartPreview(c.Request().Context(), c.Param("id"), clientOf(c))
	} else {
		r, err = s.svc.StartRender(c.Request().Context(), c.Param("id"), clientOf(c), in.CallbackURL, s.linkBase(c.Request()))
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/renders/"+r.ID)
	return c.JSON(http.StatusAccepted, viewRender(r))
}

func (s *Server) listRenders(c echo.Context) error {
	if _, err := s.svc.GetProject(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	rs, err := s.svc.ListRenders(c.Request().Context(), c.Param("id"), 50)
	if err != nil {
		return err
	}
	out := make([]renderView, 0, len(rs))
	for _, r := range rs {
		out = append(out, viewRender(r))
	}
	return c.JSON(http.StatusOK, map[string]any{"renders": out})
}

func (s *Server) getRender(c echo.Context) error {
	r, err := s.renderOf(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewRender(r))
}

func (s *Server) cancelRender(c echo.Context) error {
	r, err := s.svc.CancelRender(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, viewRender(r))
}

// video serves a finished render with Range and ETag; ?download=1 makes it an attachment.
func (s *Server) video(c echo.Context) error {
	r, err := s.doneRender(c)
	if err != nil {
		return err
	}
	disp := "inline"
	if c.QueryParam("download") != "" {
		disp = "attachment"
	}
	path, err := s.svc.Files().RenderVideo(r.ProjectID, r.ID)
	if err != nil {
		return err
	}
	return s.serveFile(c, path, "video/mp4", disp+`; filename="slideshow_`+r.ID+`.mp4"`, r.ID)
}

func (s *Server) poster(c echo.Context) error {
	r, err := s.doneRender(c)
	if err != nil {
		return err
	}
	path, err := s.svc.Files().RenderPoster(r.ProjectID, r.ID)
	if err != nil {
		return err
	}
	return s.serveFile(c, path, "image/jpeg", "", r.ID+"-poster")
}

func (s *Server) thumbnail(c echo.Context) error {
	a, err := s.projectAsset(c, c.Param("asset"), simvid.PrefixImage, "picture")
	if err != nil {
		return err
	}
	path, err := s.svc.Files().Thumbnail(a.ProjectID, a.ID)
	if err != nil {
		return err
	}
	return s.serveFile(c, path, "image/jpeg", "", a.ID)
}

// musicAudio serves the project's music as its 48 kHz FLAC working copy (with Range), so the
// page can play the chosen part. The upload itself is never served.
func (s *Server) musicAudio(c echo.Context) error {
	p, err := s.svc.GetProject(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if len(p.Spec.Audio) == 0 {
		return simvid.Errorf(simvid.ENotFound, "the project has no music")
	}
	a, err := s.projectAsset(c, p.Spec.Audio[0].Asset, simvid.PrefixAudio, "music")
	if err != nil {
		return err
	}
	if a.State != simvid.AssetReady {
		return simvid.Errorf(simvid.EConflict, "the music is not ready yet (%s)", a.State)
	}
	path, err := s.svc.Files().AudioWork(a.ProjectID, a.ID)
	if err != nil {
		return err
	}
	return s.serveFile(c, path, "audio/flac", "", a.ID)
}

// projectAsset returns the asset id of the project in the route, or 404 naming what (a
// "picture", "music") for an invalid id, an unknown one, or one of another project.
func (s *Server) projectAsset(c echo.Context, id, prefix, what string) (*simvid.Asset, error) {
	pid := c.Param("id")
	if !simvid.ValidID(simvid.PrefixProject, pid) || !simvid.ValidID(prefix, id) {
		return nil, simvid.Errorf(simvid.ENotFound, "%s not found", what)
	}
	a, err := s.svc.Store().GetAsset(c.Request().Context(), id)
	if err != nil {
		return nil, err
	}
	if a.ProjectID != pid {
		return nil, simvid.Errorf(simvid.ENotFound, "%s not found", what)
	}
	return a, nil
}

// doneRender returns the render of :id when its video exists; others are 404 (unknown) or
// 409 (not done).
func (s *Server) doneRender(c echo.Context) (*simvid.Render, error) {
	r, err := s.renderOf(c)
	if err != nil {
		return nil, err
	}
	if r.State != simvid.StateDone {
		return nil, simvid.Errorf(simvid.EConflict, "the video is not ready (state %s)", r.State)
	}
	return r, nil
}

// serveFile sends a file of ours with http.ServeContent (Range, If-None-Match, HEAD). Its
// content never changes once written, so a strong ETag from the id is exact.
func (s *Server) serveFile(c echo.Context, path, ctype, disposition, etag string) error {
	// Over an object store the file may be on another host's disk only: fetched here first.
	// (The download seam replaces this with a presigned redirect or a stream.)
	local, err := s.svc.Files().Local(c.Request().Context(), path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return simvid.Errorf(simvid.ENotFound, "file not found")
		}
		return err
	}
	f, err := os.Open(local)
	if err != nil {
		return simvid.Errorf(simvid.ENotFound, "file not found")
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, ctype)
	h.Set("ETag", `"`+etag+`"`)
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	if disposition != "" {
		h.Set(echo.HeaderContentDisposition, disposition)
	}
	http.ServeContent(c.Response(), c.Request(), "", st.ModTime().Truncate(time.Second), f)
	return nil
}
