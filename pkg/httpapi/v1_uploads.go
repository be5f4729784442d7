package httpapi

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"syscall"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/ratelimit"
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
// go to other. The body is never held in memory or written to disk here; spool does that.
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
			return unreadable(err)
		}
		name := part.FormName()
		switch {
		case name == field && part.FileName() != "":
			seen++
			err = fn(part.FileName(), part)
		case part.FileName() == "" && other != nil:
			var v []byte
			v, err = io.ReadAll(io.LimitReader(part, 4096))
			if err == nil {
				err = other(name, string(v))
			} else {
				err = unreadable(err) // a field cut short is the client's malformed body
			}
		}
		if cerr := part.Close(); err == nil && cerr != nil { // the rest of the part, read
			err = unreadable(cerr)
		}
		if err != nil {
			return err
		}
	}
	if seen == 0 {
		return simvid.Errorf(simvid.EInvalid, "no file was sent in the %q field", field)
	}
	return nil
}

// unreadable is the error of a body that could not be read: the refusal of a body cap, a
// quota or a deadline as it is, anything else (a broken form, a client gone) invalid.
func unreadable(err error) error {
	if isBodyRefusal(err) {
		return err
	}
	return simvid.Wrap(simvid.EInvalid, err, "the upload could not be read: it is not valid multipart/form-data or it ended early")
}

// spooled is the files of one upload request, received into temporary files, in order.
type spooled struct {
	files []service.Upload
	temps []*service.UploadFile
}

func (sp *spooled) remove() {
	for _, f := range sp.temps {
		f.Remove()
	}
}

// spool receives the files of field into temporary files (each at most one byte past the
// per-file limit, so that intake can say it is too large; never past the disk's reserve), and
// hands the other fields to other, whatever their order. Files past the first max are read
// but not written: they come as uploads without Open, which the service refuses unopened.
// On error nothing is left on disk; otherwise the caller calls remove.
func (s *Server) spool(c echo.Context, field string, max int, other func(name, value string) error) (*spooled, error) {
	sp := &spooled{}
	err := s.spoolEach(c, field, max, sp, func(u service.Upload) { sp.files = append(sp.files, u) }, other)
	if err != nil {
		sp.remove()
		return nil, err
	}
	return sp, nil
}

// spoolEach is spool that hands each file to take as soon as it is received, keeping the
// temporary files in sp (for the caller to remove, also on error).
func (s *Server) spoolEach(c echo.Context, field string, max int, sp *spooled, take func(service.Upload), other func(name, value string) error) error {
	n := 0
	return eachFile(c, field, func(name string, r io.Reader) error {
		n++
		if max > 0 && n > max {
			take(service.Upload{Name: name})
			return nil // eachFile reads the rest of the part
		}
		f, err := s.spoolFile(r)
		if f != nil {
			sp.temps = append(sp.temps, f)
		}
		if err != nil {
			return err
		}
		take(service.Upload{Name: name, Open: f.Open})
		return nil
	}, other)
}

// spoolFile writes one file part to a temporary file and returns it (also on error, for the
// caller to remove).
func (s *Server) spoolFile(r io.Reader) (*service.UploadFile, error) {
	f, err := s.svc.NewUploadFile()
	if err != nil {
		return nil, err
	}
	src := &readMark{r: io.LimitReader(r, s.Info.fileCap()+1)}
	_, err = io.Copy(f, src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		_, err = io.Copy(io.Discard, &readMark{r: r}) // the rest of an oversized file: read, not kept
	}
	switch {
	case err == nil || isBodyRefusal(err):
	case errors.Is(err, syscall.ENOSPC):
		err = simvid.Wrap(simvid.EStorageFull, err, "the server is out of storage space; please try again later")
	case errors.Is(err, errRead):
		err = unreadable(err)
	}
	return f, err
}

// readMark marks its reader's errors, to tell a broken upload from a failing disk.
type readMark struct{ r io.Reader }

var errRead = errors.New("reading the upload")

func (m *readMark) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	if err != nil && err != io.EOF && !isBodyRefusal(err) {
		err = fmt.Errorf("%w: %w", errRead, err)
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

// addImages receives the files of field and hands each to the service as soon as it is on
// disk: its intake starts while the next ones still arrive. The service runs intake for
// several at once and keeps their order.
func (s *Server) addImages(c echo.Context, pid, field string, other func(name, value string) error) ([]uploadResult, error) {
	sp := &spooled{}
	defer sp.remove()
	done, err := s.svc.AddImagesFrom(c.Request().Context(), pid, func(take func(service.Upload)) error {
		return s.spoolEach(c, field, s.svc.Limits().FilesPerRequest, sp, take, other)
	})
	if err != nil {
		return nil, err
	}
	results := make([]uploadResult, len(done))
	for i, d := range done {
		res := uploadResult{Filename: d.Name}
		if d.Err == nil {
			ratelimit.ChargePixels(c, int64(d.Asset.Width)*int64(d.Asset.Height))
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

// receiveMusic reads the "audio" file of a multipart body and its start and end (seconds)
// fields, before or after it: the file is received first, the trim applied once the whole
// form is read. It makes the file the project's music; pid "" creates a project for it.
func (s *Server) receiveMusic(c echo.Context, pid string) (*simvid.Project, *simvid.Asset, error) {
	ctx := c.Request().Context()
	var start, end float64
	sp, err := s.spool(c, "audio", 1, func(name, value string) error {
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
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return simvid.Errorf(simvid.EUnprocessable, "%s must be a number of seconds", name)
		}
		*dst = f
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	defer sp.remove()
	file := sp.files[0] // spool gives one at least (eachFile refuses a form without)
	if pid == "" {
		np, err := s.svc.CreateProject(ctx, nil, ownerOf(c))
		if err != nil {
			return nil, nil, err
		}
		pid = np.ID
	}
	r, err := file.Open()
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	return s.svc.SetMusic(ctx, pid, file.Name, r, start, end)
}
