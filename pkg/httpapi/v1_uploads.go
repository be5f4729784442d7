package httpapi

import (
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/simvid"
)

// uploadResult is one file's outcome in a multi-file upload.
type uploadResult struct {
	Filename string     `json:"filename"`
	OK       bool       `json:"ok"`
	Slide    *slideView `json:"slide,omitempty"`
	Size     int64      `json:"-"`
	Error    *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// eachFile streams the parts of a multipart body named field, in order, to fn. Other fields
// go to other. The body is never held in memory or written to disk here; intake does that.
func eachFile(c echo.Context, field string, fn func(name string, r io.Reader) error, other func(name, value string) error) error {
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return simvid.Errorf(simvid.EInvalid, "expected a multipart/form-data upload with files in the %q field", field)
	}
	seen := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if errors.Is(err, errBodyTooLarge) {
				return err
			}
			return simvid.Errorf(simvid.EInvalid, "the upload could not be read: it is not valid multipart/form-data")
		}
		name := part.FormName()
		switch {
		case name == field && part.FileName() != "":
			seen++
			err = fn(part.FileName(), partReader{part})
		case part.FileName() == "" && other != nil:
			var v []byte
			v, err = io.ReadAll(io.LimitReader(part, 4096))
			if err == nil {
				err = other(name, string(v))
			} else if !errors.Is(err, errBodyTooLarge) {
				// A field cut short is the client's malformed body, not our failure.
				err = simvid.Errorf(simvid.EInvalid, "the upload could not be read: it is not valid multipart/form-data")
			}
		}
		part.Close()
		if err != nil {
			return err
		}
	}
	if seen == 0 {
		return simvid.Errorf(simvid.EInvalid, "no file was sent in the %q field", field)
	}
	return nil
}

// partReader turns a read error of a multipart part (a body cut short, a broken boundary)
// into the client's 400, so that intake, which wraps it, does not answer 500. The body
// limit's own error passes unchanged: it is a 413.
type partReader struct{ r io.Reader }

func (p partReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if err != nil && err != io.EOF && !errors.Is(err, errBodyTooLarge) {
		err = simvid.Errorf(simvid.EInvalid, "the upload could not be read: it is not valid multipart/form-data")
	}
	return n, err
}

// uploadImages takes one or more pictures as new slides, a result per file.
func (s *Server) uploadImages(c echo.Context) error {
	ctx := c.Request().Context()
	pid := c.Param("id")
	if _, err := s.svc.GetProject(ctx, pid); err != nil {
		return err
	}
	results, err := s.addImages(c, pid, "images", nil)
	if err != nil {
		return err
	}
	p, err := s.svc.GetProject(ctx, pid)
	if err != nil {
		return err
	}
	view, err := s.projectView(c, p)
	if err != nil {
		return err
	}
	body := map[string]any{"results": results, "project": view}
	if first := firstRefusal(results); first != nil && !anyAccepted(results) {
		body["error"] = first.Error
		return c.JSON(statusOf(first.Error.Code), body)
	}
	return c.JSON(http.StatusOK, body)
}

// addImages receives every file of field (spooled to temporary files, at most one byte past
// the per-file limit, so intake can say it is too large) and hands them to the service, which
// runs intake for several at once and keeps their order.
func (s *Server) addImages(c echo.Context, pid, field string, other func(name, value string) error) ([]uploadResult, error) {
	var files []service.Upload
	var temps []string
	defer func() {
		for _, p := range temps {
			os.Remove(p)
		}
	}()
	err := eachFile(c, field, func(name string, r io.Reader) error {
		f, err := s.svc.Media.CreateTemp("upload-*")
		if err != nil {
			return err
		}
		temps = append(temps, f.Name())
		_, err = io.Copy(f, io.LimitReader(r, s.Info.FileBytes+1))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, r) // the rest of an oversized file
		path := f.Name()
		files = append(files, service.Upload{Name: name, Open: func() (io.ReadCloser, error) { return os.Open(path) }})
		return nil
	}, other)
	if err != nil {
		return nil, err
	}
	done, err := s.svc.AddImages(c.Request().Context(), pid, files)
	if err != nil {
		return nil, err
	}
	results := make([]uploadResult, len(done))
	for i, d := range done {
		res := uploadResult{Filename: media.DisplayName(files[i].Name)}
		if d.Err == nil {
			res.OK, res.Size = true, d.Asset.Size
			sv := viewSlide(pid, *d.Slide, d.Asset)
			res.Slide = &sv
		} else {
			ce := asCoded(d.Err)
			res.Error = &struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			}{ce.Code, ce.Message}
		}
		results[i] = res
	}
	return results, nil
}

func firstRefusal(rs []uploadResult) *uploadResult {
	for i := range rs {
		if !rs[i].OK {
			return &rs[i]
		}
	}
	return nil
}

func anyAccepted(rs []uploadResult) bool {
	for _, r := range rs {
		if r.OK {
			return true
		}
	}
	return false
}

// uploadMusic takes a music file with optional start and end (seconds) fields.
func (s *Server) uploadMusic(c echo.Context) error {
	p, _, err := s.receiveMusic(c, c.Param("id"))
	if err != nil {
		return err
	}
	return s.respondProject(c, http.StatusCreated, p)
}

// receiveMusic reads the "audio" file of a multipart body (fields before it may set start and
// end) and makes it the project's music. pid "" creates a project for it.
func (s *Server) receiveMusic(c echo.Context, pid string) (*simvid.Project, *simvid.Asset, error) {
	ctx := c.Request().Context()
	var start, end float64
	var p *simvid.Project
	var a *simvid.Asset
	got := false
	err := eachFile(c, "audio", func(name string, r io.Reader) error {
		if got {
			_, _ = io.Copy(io.Discard, r)
			return nil
		}
		got = true
		if pid == "" {
			np, err := s.svc.CreateProject(ctx, nil, ownerOf(c))
			if err != nil {
				return err
			}
			pid = np.ID
		}
		var err error
		p, a, err = s.svc.SetMusic(ctx, pid, name, r, start, end)
		return err
	}, func(name, value string) error {
		var dst *float64
		switch name {
		case "start", "start_time":
			dst = &start
		case "end", "end_time":
			dst = &end
		default:
			return nil
		}
		if strings.TrimSpace(value) == "" {
			return nil
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return simvid.Errorf(simvid.EUnprocessable, "%s must be a number of seconds", name)
		}
		*dst = f
		return nil
	})
	return p, a, err
}
