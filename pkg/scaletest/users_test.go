//go:build scale

package scaletest

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/simvid/simvid/pkg/ffmpeg"
)

// The show every user makes: 10 pictures of 2 s, 0.5 s fades, 1280x720 at 30 fps, music.
const (
	pictures    = 10
	slideSecs   = 2
	wantFrames  = pictures * slideSecs * 30
	wantSeconds = pictures * slideSecs
)

// userResult is what one user's run ended with.
type userResult struct {
	Project   string
	Render    renderView
	Events    int
	Submitted time.Time
	Finished  time.Time
	Correct   bool
	Err       error
}

// runUser makes one whole video as a person would: project, settings, ten pictures, music,
// render, progress by SSE, download, and checks the MP4.
func runUser(ctx context.Context, u *user, n int, music []byte, dir string, ff *ffmpeg.Runner) (res userResult) {
	fail := func(err error) userResult { res.Err = fmt.Errorf("user %d (%s): %w", n, u.ip, err); return res }
	var p struct {
		ID string `json:"id"`
	}
	if err := u.do(ctx, "POST /projects", http.MethodPost, "/api/v1/projects", nil, "", &p); err != nil {
		return fail(err)
	}
	res.Project = p.ID
	settings := []byte(`{"output":{"resolution":"1280x720"},"defaults":{"duration":2,"fit":"contain"},` +
		`"transition":{"name":"fade","duration":0.5}}`)
	if err := u.do(ctx, "PATCH /projects/{id}/settings", http.MethodPatch, "/api/v1/projects/"+p.ID+"/settings", settings, "application/json", nil); err != nil {
		return fail(err)
	}
	var names []string
	var files [][]byte
	for i := range pictures {
		names, files = append(names, fmt.Sprintf("u%03d-%02d.png", n, i)), append(files, picture(n, i))
	}
	body, ctype := multipartFiles("images", names, files)
	var up struct {
		Results []struct {
			Filename string `json:"filename"`
			OK       bool   `json:"ok"`
			Error    struct{ Code, Message string }
		} `json:"results"`
	}
	if err := u.do(ctx, "POST /projects/{id}/images (10)", http.MethodPost, "/api/v1/projects/"+p.ID+"/images", body, ctype, &up); err != nil {
		return fail(err)
	}
	for _, r := range up.Results {
		if !r.OK { // a 200 takes the good files and names each refused one
			return fail(fmt.Errorf("upload refused %s: %s: %s", r.Filename, r.Error.Code, r.Error.Message))
		}
	}
	body, ctype = multipartFiles("audio", []string{"song.mp3"}, [][]byte{music})
	if err := u.do(ctx, "POST /projects/{id}/music", http.MethodPost, "/api/v1/projects/"+p.ID+"/music", body, ctype, nil); err != nil {
		return fail(err)
	}
	var r renderView
	if err := u.do(ctx, "POST /projects/{id}/renders", http.MethodPost, "/api/v1/projects/"+p.ID+"/renders", nil, "", &r); err != nil {
		return fail(err)
	}
	res.Submitted = time.Now()
	last, events, err := u.follow(ctx, "GET /renders/{id}/events (first event)", r.ID)
	res.Events = events
	for err != nil || !last.finished() { // the stream broke: poll, as the page does
		select {
		case <-ctx.Done():
			return fail(fmt.Errorf("render %s: %w", r.ID, ctx.Err()))
		case <-time.After(time.Second):
		}
		err = u.do(ctx, "GET /renders/{id}", http.MethodGet, "/api/v1/renders/"+r.ID, nil, "", &last)
	}
	res.Finished = time.Now()
	if err := u.do(ctx, "GET /renders/{id}", http.MethodGet, "/api/v1/renders/"+r.ID, nil, "", &res.Render); err != nil {
		return fail(err)
	}
	if res.Render.State != "done" {
		return fail(fmt.Errorf("render %s ended %s: %s", r.ID, res.Render.State, res.Render.Error))
	}
	if err := checkVideo(ctx, u, r.ID, dir, ff, 1280, 720); err != nil {
		return fail(err)
	}
	res.Correct = true
	return res
}

// checkVideo downloads a render's MP4 and checks it is w x h, frame count, duration and audio.
func checkVideo(ctx context.Context, u *user, renderID, dir string, ff *ffmpeg.Runner, w, h int) error {
	path := filepath.Join(dir, renderID+".mp4")
	defer os.Remove(path)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.base+"/api/v1/renders/"+renderID+"/video", nil)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := u.hc.Do(req)
	if err != nil {
		u.rec.Add("GET /renders/{id}/video", 0, time.Since(start), err)
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		res.Body.Close()
		return err
	}
	_, err = f.ReadFrom(res.Body)
	res.Body.Close()
	f.Close()
	u.rec.Add("GET /renders/{id}/video", res.StatusCode, time.Since(start), err)
	if err != nil || res.StatusCode != http.StatusOK {
		return fmt.Errorf("download %s: %d %v", renderID, res.StatusCode, err)
	}
	p, err := ff.ProbeFile(ctx, path, time.Minute, true)
	if err != nil {
		return fmt.Errorf("probe %s: %w", renderID, err)
	}
	v := p.Video()
	if v == nil || v.Width != w || v.Height != h || v.Frames() != wantFrames || p.Audio() == nil ||
		math.Abs(p.Duration()-wantSeconds) > 0.1 {
		return fmt.Errorf("video of %s: %+v, %.3f s, audio %v; want %dx%d, %d frames, %d s, audio",
			renderID, v, p.Duration(), p.Audio() != nil, w, h, wantFrames, wantSeconds)
	}
	return nil
}
