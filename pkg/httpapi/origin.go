package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/jsonbody"
	"github.com/simvid/simvid/pkg/ratelimit"
	"github.com/simvid/simvid/pkg/service"
	"github.com/simvid/simvid/pkg/simvid"
)

// The Python original's routes keep its request and answer shapes so that its clients and
// its page go on working. Its session_id is our project id, its job_id and video_id our
// render id, its audio_id our music asset id.

// originHealth answers the Python original's GET /health.
func (s *Server) originHealth(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	redisOK, dbOK := true, true
	if s.Pool != nil {
		conn, err := s.Pool.GetContext(ctx)
		if err == nil {
			_, err = conn.Do("PING")
			conn.Close()
		}
		redisOK = err == nil
	}
	dbOK = s.svc.Ping(ctx) == nil
	status, word := http.StatusOK, "healthy"
	if !redisOK || !dbOK {
		status, word = http.StatusServiceUnavailable, "unhealthy"
	}
	return c.JSON(status, map[string]any{"status": word, "redis": redisOK, "database": dbOK})
}

// readOriginJSON is readJSON for the Python original's routes, which ignored fields they did
// not know: its clients may send some, and must go on working.
func readOriginJSON(c echo.Context, dst any) error {
	return readBody(c, dst, false, jsonbody.DecodeLoose)
}

// originUploadImages: POST /upload_images, multipart `images` and optional `session_id`. The
// session field may come before or after the files: files are held until it is known.
func (s *Server) originUploadImages(c echo.Context) error {
	ctx := c.Request().Context()
	pid := ""
	sp, err := s.spool(c, "images", s.svc.Limits().FilesPerRequest, func(name, value string) error {
		if name == "session_id" && pid == "" {
			pid = strings.TrimSpace(value)
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer sp.remove()
	if pid == "" {
		p, err := s.svc.CreateProject(ctx, nil, ownerOf(c))
		if err != nil {
			return err
		}
		pid = p.ID
	} else if p, err := s.svc.GetProject(ctx, pid); err != nil {
		return err
	} else if err := s.canSee(c, p.OwnerKey, "project"); err != nil {
		return err
	}
	type accepted struct {
		Filename string `json:"filename"`
		Size     int64  `json:"size"`
	}
	type refused struct {
		Filename string `json:"filename"`
		Error    string `json:"error"`
	}
	done, err := s.svc.AddImages(ctx, pid, sp.files)
	if err != nil {
		return err
	}
	images, rejected := []accepted{}, []refused{}
	for _, d := range done {
		if d.Err == nil {
			ratelimit.ChargePixels(c, int64(d.Asset.Width)*int64(d.Asset.Height))
			images = append(images, accepted{d.Asset.OriginalName, d.Asset.Size})
		} else {
			rejected = append(rejected, refused{d.Name, simvid.ErrorMessage(d.Err)})
		}
	}
	p, err := s.svc.GetProject(ctx, pid)
	if err != nil {
		return err
	}
	if len(images) == 0 {
		return c.JSON(http.StatusBadRequest, map[string]any{"success": false, "error": rejected[0].Error, "rejected": rejected})
	}
	body := map[string]any{"success": true, "session_id": pid, "images": images, "count": len(images), "total_count": len(p.Spec.Slides)}
	if len(rejected) > 0 {
		body["rejected"] = rejected
	}
	return c.JSON(http.StatusOK, body)
}

// originUploadAudio: POST /upload_audio, multipart `audio`. The music lives in a project of
// its own until /generate_video names it.
func (s *Server) originUploadAudio(c echo.Context) error {
	_, a, err := s.receiveMusic(c, "")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"success": true, "audio_id": a.ID, "filename": a.OriginalName, "duration": round1(a.Duration)})
}

// originGenerate: POST /generate_video.
func (s *Server) originGenerate(c echo.Context) error {
	ctx := c.Request().Context()
	var in struct {
		SessionID  string          `json:"session_id"`
		AudioID    *string         `json:"audio_id"`
		Duration   json.RawMessage `json:"duration"`
		Transition string          `json:"transition"`
		Resolution string          `json:"resolution"`
		// Order and Chapters are simvid's (issue 22): "order": "taken" plays the pictures in
		// the order they were taken.
		Order    *string `json:"order"`
		Chapters *string `json:"chapters"`
		BeatSync bool    `json:"beat_sync"` // simvid's own: cut on the music's beats
	}
	if err := readOriginJSON(c, &in); err != nil {
		return err
	}
	if p, err := s.svc.GetProject(ctx, in.SessionID); err != nil || s.canSee(c, p.OwnerKey, "session") != nil {
		return simvid.Errorf(simvid.ENotFound, "session not found; upload the images first")
	}
	dur, err := originDuration(in.Duration)
	if err != nil {
		return err
	}
	res := in.Resolution
	if res == "" {
		res = "1280x720"
	}
	if !slices.Contains(simvid.Resolutions[:12], res) {
		return simvid.Errorf(simvid.EInvalid, "resolution must be one of %s", strings.Join(simvid.Resolutions[:12], ", "))
	}
	tr := originTransition(in.Transition, s.svc.Transitions())
	if tr == "" {
		return simvid.Errorf(simvid.EInvalid, "unknown transition %q", in.Transition)
	}
	var music *simvid.AudioClip // checked before anything changes
	if in.AudioID != nil && *in.AudioID != "" {
		clip, err := s.svc.MusicToAdopt(ctx, *in.AudioID, ownerOf(c))
		if err != nil {
			return err
		}
		music = &clip
	}
	out, _ := json.Marshal(simvid.Output{Resolution: res})
	defs, _ := json.Marshal(map[string]any{"duration": dur})
	trans, _ := json.Marshal(map[string]any{"name": tr})
	beats, _ := json.Marshal(in.BeatSync)
	if _, err := s.svc.UpdateSettings(ctx, in.SessionID, &service.Settings{Output: out, Defaults: defs, Transition: trans,
		Order: in.Order, Chapters: in.Chapters, BeatSync: beats}); err != nil {
		return err
	}
	if music != nil {
		if err := s.svc.AdoptMusic(ctx, in.SessionID, *music); err != nil {
			return err
		}
	}
	r, err := s.svc.StartRender(ctx, in.SessionID, clientOf(c), "", s.linkBase(c.Request()))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"success": true, "job_id": r.ID, "status_url": "/job_status/" + r.ID,
		"message": "Video generation started"})
}

// originDuration reads the origin's seconds per picture: a number or a numeric string.
func originDuration(raw json.RawMessage) (float64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 2, nil
	}
	s := strings.Trim(string(raw), `"`)
	d, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || d < 0.5 || d > 10 {
		return 0, simvid.Errorf(simvid.EInvalid, "duration must be a number of seconds between 0.5 and 10")
	}
	return d, nil
}

// originTransition maps the origin's names to ours: slide and zoom become slideleft and
// zoomin where this ffmpeg has them, fade otherwise.
func originTransition(name string, supported []string) string {
	switch name {
	case "", "fade":
		return "fade"
	case "none":
		return "none"
	case "slide", "zoom":
		alt := map[string]string{"slide": "slideleft", "zoom": "zoomin"}[name]
		if slices.Contains(supported, alt) {
			return alt
		}
		return "fade"
	}
	if slices.Contains(supported, name) {
		return name
	}
	return ""
}

// originStatus maps a render to the origin's status, stage and progress.
func originStatus(r *simvid.Render) (status, stage string) {
	switch r.State {
	case simvid.StateQueued:
		return "queued", "queued"
	case simvid.StatePreparing:
		return "started", "processing"
	case simvid.StateRendering, simvid.StateFinalizing:
		return "started", "encoding"
	case simvid.StateDone:
		return "finished", "completed"
	}
	return "failed", "error"
}

// originJobStatus: GET /job_status/<job_id>.
func (s *Server) originJobStatus(c echo.Context) error {
	r, err := s.renderOf(c)
	if err != nil {
		return simvid.Errorf(simvid.ENotFound, "job not found")
	}
	status, stage := originStatus(r)
	body := map[string]any{"job_id": r.ID, "status": status, "stage": stage, "progress": int(r.Progress), "message": r.Message}
	switch r.State {
	case simvid.StateDone:
		body["download_url"], body["video_id"], body["file_size"] = "/download/"+r.ID, r.ID, r.OutputSize
	case simvid.StateFailed:
		body["error"] = r.Error
	case simvid.StateCanceled:
		body["error"], body["message"] = "canceled", "canceled"
	}
	return c.JSON(http.StatusOK, body)
}

// originProgress: GET /progress/<job_id>, an event stream in the origin's shape.
func (s *Server) originProgress(c echo.Context) error {
	ctx := c.Request().Context()
	release, err := s.streams.take(c)
	if err != nil {
		return err
	}
	defer release()
	rc := sseStart(c)
	r, err := s.renderOf(c)
	if err != nil {
		return sseWrite(c, rc, "", map[string]string{"error": "job not found"})
	}
	if err := sseWrite(c, rc, "", map[string]bool{"connected": true}); err != nil {
		return nil
	}
	last := ""
	return s.followRender(ctx, r, func(r *simvid.Render) error {
		_, stage := originStatus(r)
		msg := r.Message
		if r.State == simvid.StateFailed {
			msg = r.Error
		}
		ev := map[string]any{"stage": stage, "progress": int(r.Progress), "message": msg,
			"timestamp": time.Now().UTC().Format(time.RFC3339)}
		if r.State == simvid.StateDone {
			ev["progress"] = 100
		}
		key := stage + strconv.Itoa(int(r.Progress)) + msg
		if key == last {
			return nil
		}
		last = key
		return sseWrite(c, rc, "", ev)
	}, ssePing(c, rc))
}

// originDownload: GET /download/<video_id>.
func (s *Server) originDownload(c echo.Context) error {
	r, err := s.renderOf(c)
	if err != nil || r.State != simvid.StateDone {
		return simvid.Errorf(simvid.ENotFound, "video not found")
	}
	f, err := s.svc.RenderVideo(c.Request().Context(), r)
	if err != nil {
		return err
	}
	return serveFile(c, f, `attachment; filename="`+f.Name+`"`)
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
