package httpapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/simvid"
)

// musicLink: POST /api/v1/projects/:id/music/link {url, start?, end?}. 202: the music is
// being fetched by the audio queue; the project's music shows its state and progress.
func (s *Server) musicLink(c echo.Context) error {
	var in struct {
		URL   string   `json:"url"`
		Start *float64 `json:"start" unit:"seconds"`
		End   *float64 `json:"end" unit:"seconds"`
	}
	if err := readJSON(c, &in, false); err != nil {
		return err
	}
	if strings.TrimSpace(in.URL) == "" {
		return simvid.Errorf(simvid.EInvalid, "url is required: the link to the music")
	}
	p, _, err := s.svc.SetMusicLink(c.Request().Context(), c.Param("id"), in.URL, deref(in.Start), deref(in.End))
	if err != nil {
		return err
	}
	return s.respondProject(c, http.StatusAccepted, p)
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}
