package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/service"
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
	f, err := s.svc.RenderVideo(c.Request().Context(), r)
	if err != nil {
		return err
	}
	return serveFile(c, f, disp+`; filename="`+f.Name+`"`)
}

func (s *Server) poster(c echo.Context) error {
	r, err := s.doneRender(c)
	if err != nil {
		return err
	}
	f, err := s.svc.RenderPoster(c.Request().Context(), r)
	if err != nil {
		return err
	}
	return serveFile(c, f, "")
}

func (s *Server) thumbnail(c echo.Context) error {
	f, err := s.svc.Thumbnail(c.Request().Context(), c.Param("id"), c.Param("asset"))
	if err != nil {
		return err
	}
	return serveFile(c, f, "")
}

// filmstrip serves a clip's filmstrip, the frames under the page's trim handles.
func (s *Server) filmstrip(c echo.Context) error {
	f, err := s.svc.Filmstrip(c.Request().Context(), c.Param("id"), c.Param("asset"))
	if err != nil {
		return err
	}
	return serveFile(c, f, "")
}

// clipVideo serves a clip as uploaded (with Range), for the page's preview.
func (s *Server) clipVideo(c echo.Context) error {
	f, err := s.svc.ClipVideo(c.Request().Context(), c.Param("id"), c.Param("asset"))
	if err != nil {
		return err
	}
	return serveFile(c, f, "")
}

// musicAudio serves the project's music as its working copy (with Range), so the page can
// play the chosen part.
func (s *Server) musicAudio(c echo.Context) error {
	f, err := s.svc.MusicAudio(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return serveFile(c, f, "")
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

// serveFile sends a stored file with http.ServeContent (Range, If-None-Match, HEAD), and the
// disposition when one is given. Its content never changes once written, so it may be cached
// for good.
//
// A file with a URL lives in the object store: the client is sent there (302) with a link
// that expires, which is why the answer itself may not be cached.
func serveFile(c echo.Context, f *service.File, disposition string) error {
	if f.URL != "" {
		c.Response().Header().Set("Cache-Control", "private, no-store")
		return c.Redirect(http.StatusFound, f.URL)
	}
	rc, err := f.Open()
	if err != nil {
		return simvid.Errorf(simvid.ENotFound, "file not found")
	}
	defer rc.Close()
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, f.ContentType)
	h.Set("ETag", `"`+f.ETag+`"`)
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	if disposition != "" {
		h.Set(echo.HeaderContentDisposition, disposition)
	}
	http.ServeContent(c.Response(), c.Request(), "", f.ModTime.Truncate(time.Second), rc)
	return nil
}
