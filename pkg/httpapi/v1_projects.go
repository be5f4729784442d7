package httpapi

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/jsonbody"
	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/simvid"
)

// readJSON decodes a JSON body into dst, refusing unknown fields; an empty body leaves dst
// as it is when optional. Errors name the field by its JSON path (jsonbody).
func readJSON(c echo.Context, dst any, optional bool) error {
	return readBody(c, dst, optional, jsonbody.Decode)
}

func readBody(c echo.Context, dst any, optional bool, decode func([]byte, any, string) error) error {
	raw, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		if optional {
			return nil
		}
		return simvid.Errorf(simvid.EInvalid, "a JSON body is required")
	}
	if err := decode(raw, dst, ""); err != nil {
		return simvid.Errorf(simvid.EInvalid, "%s", err.Error())
	}
	return nil
}

// respondProject answers with the full project view.
func (s *Server) respondProject(c echo.Context, status int, p *simvid.Project) error {
	v, err := s.projectView(c, p)
	if err != nil {
		return err
	}
	return c.JSON(status, v)
}

func (s *Server) projectView(c echo.Context, p *simvid.Project) (projectView, error) {
	ctx := c.Request().Context()
	assets, err := s.svc.ProjectAssets(ctx, p.ID)
	if err != nil {
		return projectView{}, err
	}
	renders, err := s.svc.ListRenders(ctx, p.ID, 10)
	if err != nil {
		return projectView{}, err
	}
	return s.viewProject(p, assets, renders, s.svc.ExpiresAt(ctx, p)), nil
}

func (s *Server) createProject(c echo.Context) error {
	var in service.Settings
	if err := readJSON(c, &in, true); err != nil {
		return err
	}
	p, err := s.svc.CreateProject(c.Request().Context(), &in, ownerOf(c))
	if err != nil {
		return err
	}
	return s.respondProject(c, http.StatusCreated, p)
}

func (s *Server) getProject(c echo.Context) error {
	p, err := s.svc.GetProject(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return s.respondProject(c, http.StatusOK, p)
}

func (s *Server) deleteProject(c echo.Context) error {
	if _, err := s.svc.DeleteProject(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) updateSettings(c echo.Context) error {
	var in service.Settings
	if err := readJSON(c, &in, false); err != nil {
		return err
	}
	p, err := s.svc.UpdateSettings(c.Request().Context(), c.Param("id"), &in)
	if err != nil {
		return err
	}
	return s.respondProject(c, http.StatusOK, p)
}

func (s *Server) reorderSlides(c echo.Context) error {
	var in struct {
		Order []string `json:"order"`
		Sort  string   `json:"sort"` // "taken" or "name": the server sorts once (the page's "Sort by date taken")
	}
	if err := readJSON(c, &in, false); err != nil {
		return err
	}
	var p *simvid.Project
	var err error
	switch {
	case in.Sort != "" && in.Order != nil:
		return simvid.Errorf(simvid.EUnprocessable, "give order or sort, not both")
	case in.Sort != "":
		p, err = s.svc.SortSlides(c.Request().Context(), c.Param("id"), in.Sort)
	default:
		p, err = s.svc.ReorderSlides(c.Request().Context(), c.Param("id"), in.Order)
	}
	if err != nil {
		return err
	}
	return s.respondProject(c, http.StatusOK, p)
}

func (s *Server) updateSlide(c echo.Context) error {
	raw, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return err
	}
	patch, err := service.DecodeSlidePatch(raw)
	if err != nil {
		return err
	}
	p, err := s.svc.UpdateSlide(c.Request().Context(), c.Param("id"), c.Param("slide"), patch)
	if err != nil {
		return err
	}
	return s.respondProject(c, http.StatusOK, p)
}

func (s *Server) duplicateSlide(c echo.Context) error {
	p, _, err := s.svc.DuplicateSlide(c.Request().Context(), c.Param("id"), c.Param("slide"))
	if err != nil {
		return err
	}
	return s.respondProject(c, http.StatusCreated, p)
}

func (s *Server) removeSlide(c echo.Context) error {
	p, err := s.svc.RemoveSlide(c.Request().Context(), c.Param("id"), c.Param("slide"))
	if err != nil {
		return err
	}
	return s.respondProject(c, http.StatusOK, p)
}

func (s *Server) updateMusic(c echo.Context) error {
	var in struct {
		Start *float64 `json:"start" unit:"seconds"`
		End   *float64 `json:"end" unit:"seconds"`
	}
	if err := readJSON(c, &in, false); err != nil {
		return err
	}
	p, err := s.svc.UpdateMusic(c.Request().Context(), c.Param("id"), in.Start, in.End)
	if err != nil {
		return err
	}
	return s.respondProject(c, http.StatusOK, p)
}

func (s *Server) removeMusic(c echo.Context) error {
	p, err := s.svc.RemoveMusic(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return s.respondProject(c, http.StatusOK, p)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
