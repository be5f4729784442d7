package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// Render is the part of the API's render view the tests read.
type Render struct {
	ID          string  `json:"id"`
	ProjectID   string  `json:"project_id"`
	State       string  `json:"state"`
	Progress    float64 `json:"progress"`
	Message     string  `json:"message"`
	Error       string  `json:"error"`
	FramesTotal int64   `json:"frames_total"`
	FramesDone  int64   `json:"frames_done"`
	Duration    float64 `json:"duration"`
	OutputSize  int64   `json:"output_size"`
	VideoURL    string  `json:"video_url"`
}

// Finished reports whether the render reached a final state.
func (r *Render) Finished() bool {
	return r.State == "done" || r.State == "failed" || r.State == "canceled"
}

// WaitMusic polls the project every interval until its music is ready. It fails when the
// music failed, when there is none, or when ctx ends.
func (c *Client) WaitMusic(ctx context.Context, id string, every time.Duration) (*Project, error) {
	for {
		p, err := c.GetProject(ctx, id)
		if err != nil {
			return nil, err
		}
		switch {
		case p.Music == nil:
			return p, fmt.Errorf("bench: project %s has no music", id)
		case p.Music.State == "ready":
			return p, nil
		case p.Music.State == "failed":
			return p, fmt.Errorf("bench: music %s failed: %s", p.Music.Filename, p.Music.Error)
		}
		if err := sleep(ctx, every); err != nil {
			return p, fmt.Errorf("bench: music of %s still %q: %w", id, p.Music.State, err)
		}
	}
}

// StartRender asks for a render of the project as it is now.
func (c *Client) StartRender(ctx context.Context, projectID string) (*Render, error) {
	var r Render
	return &r, c.doJSON(ctx, http.MethodPost, "/api/v1/projects/"+projectID+"/renders", nil, &r)
}

// GetRender reads a render.
func (c *Client) GetRender(ctx context.Context, id string) (*Render, error) {
	var r Render
	return &r, c.doJSON(ctx, http.MethodGet, "/api/v1/renders/"+id, nil, &r)
}

// WaitRender polls the render every interval until it finishes. It fails unless the render
// is done.
func (c *Client) WaitRender(ctx context.Context, id string, every time.Duration) (*Render, error) {
	for {
		r, err := c.GetRender(ctx, id)
		if err != nil {
			return nil, err
		}
		if r.Finished() {
			if r.State != "done" {
				return r, fmt.Errorf("bench: render %s %s: %s", id, r.State, r.Error)
			}
			return r, nil
		}
		if err := sleep(ctx, every); err != nil {
			return r, fmt.Errorf("bench: render %s still %s at %.1f%% (%s): %w", id, r.State, r.Progress, r.Message, err)
		}
	}
}

// Download saves the video of a finished render to dst and returns its size in bytes.
func (c *Client) Download(ctx context.Context, renderID, dst string) (int64, error) {
	path := "/api/v1/renders/" + renderID + "/video"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+path, nil)
	if err != nil {
		return 0, fmt.Errorf("bench: download: %w", err)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, fmt.Errorf("bench: GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return 0, &APIError{Method: http.MethodGet, Path: path, Status: resp.StatusCode, Message: string(b)}
	}
	f, err := os.Create(dst)
	if err != nil {
		return 0, fmt.Errorf("bench: download: %w", err)
	}
	n, err := io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("bench: download %s: %w", path, err)
	}
	return n, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// WaitFrames polls a render until ffmpeg has written its first frames, for tests that
// interrupt a render in flight. It fails when the render finishes first or ctx ends.
func (c *Client) WaitFrames(ctx context.Context, id string, every time.Duration) (*Render, error) {
	for {
		r, err := c.GetRender(ctx, id)
		if err != nil {
			return nil, err
		}
		if r.State == "rendering" && r.FramesDone > 0 {
			return r, nil
		}
		if r.Finished() {
			return r, fmt.Errorf("bench: render %s ended %s before it could be interrupted", id, r.State)
		}
		if err := sleep(ctx, every); err != nil {
			return r, fmt.Errorf("bench: render %s still %s: %w", id, r.State, err)
		}
	}
}
