//go:build scale

package scaletest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/simvid/simvid/pkg/bench"
)

// user is one simulated person: its own source address, its own HTTP client, every request
// timed into the shared recorder.
type user struct {
	ip   string
	base string
	hc   *http.Client
	rec  *bench.Recorder
}

func newUser(ip, base string, rec *bench.Recorder) *user {
	return &user{ip: ip, base: base, hc: bench.HTTPFrom(ip, 5*time.Minute), rec: rec}
}

// do sends one request, records it under route, and decodes a 2xx JSON answer into out.
// Any other answer is an error naming the route and status.
func (u *user) do(ctx context.Context, route, method, path string, body []byte, ctype string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body == nil {
		req.Body, req.ContentLength = nil, 0
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	start := time.Now()
	res, err := u.hc.Do(req)
	if err != nil {
		u.rec.Add(route, 0, time.Since(start), err)
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	data, err := io.ReadAll(res.Body)
	res.Body.Close()
	u.rec.Add(route, res.StatusCode, time.Since(start), err)
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, strings.TrimSpace(string(data[:min(len(data), 300)])))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return err
}

// renderView is the part of the API's render view the scale test reads.
type renderView struct {
	ID          string     `json:"id"`
	State       string     `json:"state"`
	Error       string     `json:"error"`
	FramesTotal int64      `json:"frames_total"`
	Duration    float64    `json:"duration"`
	CreatedAt   time.Time  `json:"created_at"`
	StartedAt   *time.Time `json:"started_at"`
	FinishedAt  *time.Time `json:"finished_at"`
}

func (r renderView) finished() bool {
	return r.State == "done" || r.State == "failed" || r.State == "canceled"
}

// follow reads a render's event stream until a finished state or the stream's end. It
// records the time to the first event under route and returns the last view seen.
func (u *user) follow(ctx context.Context, route, renderID string) (renderView, int, error) {
	var last renderView
	start, first := time.Now(), true
	status, n, err := bench.ReadEvents(ctx, u.hc, u.base+"/api/v1/renders/"+renderID+"/events", func(b []byte) (bool, error) {
		if first { // the time to the first event
			u.rec.Add(route, http.StatusOK, time.Since(start), nil)
			first = false
		}
		if err := json.Unmarshal(b, &last); err != nil {
			return false, fmt.Errorf("events of %s: %w", renderID, err)
		}
		return last.finished(), nil
	})
	if n == 0 {
		u.rec.Add(route, status, time.Since(start), err)
	}
	return last, n, err // a stream that ended early: the caller falls back to polling
}

// multipartFiles builds an upload body from named byte slices.
func multipartFiles(field string, names []string, files [][]byte) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for i, data := range files {
		part, _ := w.CreateFormFile(field, names[i])
		_, _ = part.Write(data)
	}
	_ = w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// picture is user u's i-th picture: a 640x360 PNG in a colour of its own with i+1 white
// bars, so that no two pictures of the run share bytes (and no render is a cached copy).
func picture(u, i int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 640, 360))
	c := color.RGBA{R: uint8(u), G: uint8(u>>8)<<4 | uint8(i), B: uint8(40 + 20*i), A: 255}
	for y := range 360 {
		for x := range 640 {
			img.SetRGBA(x, y, c)
			if y > 300 && y < 330 && x%40 < 20 && x/40 <= i {
				img.SetRGBA(x, y, color.RGBA{255, 255, 255, 255})
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

// userIP and pollerIP place load clients in their own parts of 127.0.0.0/8, away from
// nginx's 127.0.0.2 and the rate-limit checks' 127.0.0.5x.
func userIP(i int) string   { return fmt.Sprintf("127.1.%d.%d", i/250, i%250+1) }
func pollerIP(i int) string { return fmt.Sprintf("127.2.%d.%d", i/250, i%250+1) }
