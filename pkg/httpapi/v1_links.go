package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

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

// originLinkWait is how long POST /download_youtube waits for the fetch, as the origin
// answered only once it had the file. Past it the answer says the music is still coming;
// /generate_video with its audio_id waits for it. It stays under the 60 s a proxy commonly
// waits for an answer (deploy/nginx.conf).
const originLinkWait = 45 * time.Second

// originDownloadYouTube: POST /download_youtube {url, start_time?, end_time?}, seconds
// 0..7200 with start < end. The music lives in a project of its own until /generate_video
// names it by audio_id, like /upload_audio's.
func (s *Server) originDownloadYouTube(c echo.Context) error {
	ctx := c.Request().Context()
	var in struct {
		URL       string          `json:"url"`
		StartTime json.RawMessage `json:"start_time"`
		EndTime   json.RawMessage `json:"end_time"`
	}
	if err := readOriginJSON(c, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.URL) == "" {
		return simvid.Errorf(simvid.EInvalid, "No URL provided")
	}
	start, err := originSeconds(in.StartTime, "start_time")
	if err != nil {
		return err
	}
	end, err := originSeconds(in.EndTime, "end_time")
	if err != nil {
		return err
	}
	if end > 0 && start >= end {
		return simvid.Errorf(simvid.EInvalid, "start_time must be before end_time")
	}
	if _, err := s.svc.CheckMusicLink(in.URL); err != nil {
		return err // before a project is made for nothing
	}
	p, err := s.svc.CreateProject(ctx, nil, ownerOf(c))
	if err != nil {
		return err
	}
	_, a, err := s.svc.SetMusicLink(ctx, p.ID, in.URL, start, end)
	if err != nil {
		_, _ = s.svc.DeleteProject(ctx, p.ID)
		return err
	}
	a, err = s.svc.WaitMusic(ctx, a.ID, originLinkWait)
	if err != nil {
		return err
	}
	body := map[string]any{"success": true, "audio_id": a.ID, "filename": a.OriginalName, "title": a.OriginalName,
		"duration": round1(a.Duration), "start_time": start, "end_time": end}
	switch a.State {
	case simvid.AssetFailed:
		return simvid.Errorf(simvid.EUnprocessable, "%s", a.Error)
	case simvid.AssetReady:
		return c.JSON(http.StatusOK, body)
	}
	body["status"], body["progress"] = a.State, round1(a.Progress)
	body["message"] = "the music is still being fetched; /generate_video with this audio_id waits for it"
	return c.JSON(http.StatusAccepted, body)
}

// originSeconds reads the origin's start_time or end_time: absent, a number or a numeric
// string, 0..7200.
func originSeconds(raw json.RawMessage, name string) (float64, error) {
	v := strings.TrimSpace(strings.Trim(strings.TrimSpace(string(raw)), `"`))
	if v == "" || v == "null" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 7200 {
		return 0, simvid.Errorf(simvid.EInvalid, "%s must be a number of seconds between 0 and 7200", name)
	}
	return f, nil
}
