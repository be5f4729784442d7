package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/web"
)

// healthz says the process is alive; it checks nothing else.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz says whether this instance can serve: Redis, the database, ffmpeg and disk space.
func (s *Server) readyz(c echo.Context) error {
	if s.Ready == nil {
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	if err := s.Ready(ctx); err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "not ready", "error": simvid.ErrorMessage(err)})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

// page serves the web page with its asset URLs carrying the content hash.
func (s *Server) page(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.HTMLBlob(http.StatusOK, web.Index())
}

// static serves the page's files; their URLs carry a content hash, so they may be cached.
func (s *Server) static() echo.HandlerFunc {
	files := echo.StaticDirectoryHandler(web.FS(), false)
	return func(c echo.Context) error {
		if c.QueryParam("v") != "" {
			c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			c.Response().Header().Set("Cache-Control", "no-cache")
		}
		return files(c)
	}
}

// capabilities tells clients what this server accepts.
func (s *Server) capabilities(c echo.Context) error {
	var d simvid.Spec
	d.Normalize()
	lim := s.svc.Limits()
	return c.JSON(http.StatusOK, map[string]any{
		"resolutions": simvid.Resolutions, "transitions": append([]string{"none", "random"}, s.svc.Transitions()...), "fits": simvid.Fits,
		"motions": simvid.Motions, "qualities": simvid.Qualities, "music_fits": simvid.MusicFits,
		"aspects": simvid.Aspects, "lines": simvid.Lines, "fps": simvid.FrameRates,
		"preset_resolutions": simvid.PresetResolutions(),
		"limits": map[string]any{
			"file_bytes": s.Info.FileBytes, "images_per_project": lim.ImagesPerProject, "image_pixels": s.Info.ImagePixels,
			"audio_seconds": s.Info.AudioSeconds, "slides_per_render": lim.Spec.MaxSlides, "video_seconds": lim.Spec.MaxVideoLength,
			"slide_seconds": []float64{simvid.MinSlideDuration, simvid.MaxSlideDuration}, "unfinished_renders": lim.UnfinishedRenders,
			"clip_bytes": s.Info.fileCap(), "clip_seconds": s.Info.ClipSeconds,
		},
		"defaults":         map[string]any{"output": d.Output, "defaults": d.Defaults, "transition": d.Transition, "music": d.Music},
		"project_ttl_days": int(s.svc.Retention(c.Request().Context()).TTL.Hours() / 24),
		"music_links":      s.svc.MusicLinks(),
		// Private mode, and whether this caller must log in (or send a key) before making
		// a slideshow: the page says so as it opens, not after a refused upload.
		"private":        s.Private,
		"login_required": s.Private && keyOf(c) == nil && (s.AdminSession == nil || !s.AdminSession(c.Request())),
	})
}
