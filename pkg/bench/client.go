package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Client speaks simvid's v1 JSON API (docs/api.md) for tests and benchmarks.
type Client struct {
	Base string // http://host:port, no trailing slash
	HTTP *http.Client
}

// NewClient returns a client for the server at base.
func NewClient(base string) *Client {
	return &Client{Base: strings.TrimRight(base, "/"), HTTP: &http.Client{Timeout: 5 * time.Minute}}
}

// APIError is a non-2xx answer: the status and the API's coded error, when it sent one.
type APIError struct {
	Method, Path string
	Status       int
	Code         string
	Message      string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("bench: %s %s: %d %s: %s", e.Method, e.Path, e.Status, e.Code, e.Message)
}

// Project is the part of the API's project view the tests read.
type Project struct {
	ID      string          `json:"id"`
	Spec    json.RawMessage `json:"spec"`
	Slides  []Slide         `json:"slides"`
	Music   *Music          `json:"music"`
	Renders []Render        `json:"renders"`
}

// Slide is one slide of a project view.
type Slide struct {
	ID       string `json:"id"`
	Asset    string `json:"asset"`
	Filename string `json:"filename"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
}

// Music is the project's music in a project view.
type Music struct {
	Asset    string  `json:"asset"`
	Filename string  `json:"filename"`
	State    string  `json:"state"`
	Error    string  `json:"error"`
	Duration float64 `json:"duration"`
}

// UploadResult is the answer to an image upload: one result per file, in order.
type UploadResult struct {
	Results []struct {
		Filename string `json:"filename"`
		OK       bool   `json:"ok"`
		Slide    *Slide `json:"slide"`
		Error    *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	} `json:"results"`
	Project Project `json:"project"`
}

// do sends a request and decodes a 2xx JSON answer into out (when not nil).
func (c *Client) do(ctx context.Context, method, path, ctype string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return fmt.Errorf("bench: %s %s: %w", method, path, err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("bench: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("bench: %s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		e := &APIError{Method: method, Path: path, Status: resp.StatusCode}
		var env struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(data, &env) == nil && env.Error.Code != "" {
			e.Code, e.Message = env.Error.Code, env.Error.Message
		} else {
			e.Message = strings.TrimSpace(string(data[:min(len(data), 300)]))
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("bench: %s %s: decode answer: %w", method, path, err)
	}
	return nil
}

func (c *Client) doJSON(ctx context.Context, method, path string, in, out any) error {
	if in == nil {
		return c.do(ctx, method, path, "", nil, out)
	}
	b, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("bench: %s %s: encode: %w", method, path, err)
	}
	return c.do(ctx, method, path, "application/json", bytes.NewReader(b), out)
}

// CreateProject creates an empty project with the default settings.
func (c *Client) CreateProject(ctx context.Context) (*Project, error) {
	var p Project
	return &p, c.doJSON(ctx, http.MethodPost, "/api/v1/projects", nil, &p)
}

// GetProject reads a project.
func (c *Client) GetProject(ctx context.Context, id string) (*Project, error) {
	var p Project
	return &p, c.doJSON(ctx, http.MethodGet, "/api/v1/projects/"+id, nil, &p)
}

// PatchSettings merges settings (any value that encodes to the API's partial spec).
func (c *Client) PatchSettings(ctx context.Context, id string, settings any) (*Project, error) {
	var p Project
	return &p, c.doJSON(ctx, http.MethodPatch, "/api/v1/projects/"+id+"/settings", settings, &p)
}

// OrderSlides sets the order of the project's slides (every slide id once).
func (c *Client) OrderSlides(ctx context.Context, id string, order []string) (*Project, error) {
	var p Project
	return &p, c.doJSON(ctx, http.MethodPut, "/api/v1/projects/"+id+"/slides", map[string]any{"order": order}, &p)
}

// DeleteSlide removes a slide from the project.
func (c *Client) DeleteSlide(ctx context.Context, id, slideID string) (*Project, error) {
	var p Project
	return &p, c.doJSON(ctx, http.MethodDelete, "/api/v1/projects/"+id+"/slides/"+slideID, nil, &p)
}

// UploadImages sends the files, in order, in one multipart request (field "images"). It
// fails when any file was refused, naming it.
func (c *Client) UploadImages(ctx context.Context, id string, paths ...string) (*UploadResult, error) {
	body, ctype, err := multipartFiles("images", paths)
	if err != nil {
		return nil, err
	}
	var r UploadResult
	if err := c.do(ctx, http.MethodPost, "/api/v1/projects/"+id+"/images", ctype, body, &r); err != nil {
		return nil, err
	}
	if len(r.Results) != len(paths) {
		return &r, fmt.Errorf("bench: upload of %d images answered %d results", len(paths), len(r.Results))
	}
	for _, res := range r.Results {
		if !res.OK {
			msg := "refused"
			if res.Error != nil {
				msg = res.Error.Code + ": " + res.Error.Message
			}
			return &r, fmt.Errorf("bench: upload of %s: %s", res.Filename, msg)
		}
	}
	return &r, nil
}

// UploadMusic sends one audio file (field "audio").
func (c *Client) UploadMusic(ctx context.Context, id, path string) (*Project, error) {
	body, ctype, err := multipartFiles("audio", []string{path})
	if err != nil {
		return nil, err
	}
	var p Project
	return &p, c.do(ctx, http.MethodPost, "/api/v1/projects/"+id+"/music", ctype, body, &p)
}

// multipartFiles builds a multipart body in memory, so that it carries a Content-Length as a
// browser's upload does.
func multipartFiles(field string, paths []string) (io.Reader, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, "", fmt.Errorf("bench: upload: %w", err)
		}
		part, err := w.CreateFormFile(field, filepath.Base(p))
		if err != nil {
			return nil, "", fmt.Errorf("bench: upload %s: %w", p, err)
		}
		if _, err := part.Write(data); err != nil {
			return nil, "", fmt.Errorf("bench: upload %s: %w", p, err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", fmt.Errorf("bench: upload: %w", err)
	}
	return &buf, w.FormDataContentType(), nil
}
