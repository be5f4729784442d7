package httpapi

import (
	"github.com/labstack/echo/v4"
)

// Body limits: JSON bodies are small; an upload request may carry many files, each of which
// intake bounds on its own.
const jsonBodyLimit = 1 << 20

// routes registers every route of every surface, in one place.
func (s *Server) routes() {
	e := s.e
	up, rd, rn, ot, lk := s.limit("upload"), s.limit("read"), s.limit("render"), s.limit("other"), s.limit("link")
	small := bodyLimit(jsonBodyLimit)
	// Uploads: a body may take as long as it needs above the minimum rate, up to the cap.
	upload := chain(uploadRate(s.UploadMinRate), bodyLimit(s.Info.MaxUploadBytes))
	quota := s.storageQuota
	idem := s.idempotent

	// Unlimited: health and the page's own files.
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/health", s.originHealth)
	e.GET("/", s.page)
	e.GET("/static/*", s.static())

	e.GET("/api/openapi.json", s.openAPI)

	v1 := e.Group("/api/v1", s.access)
	v1.GET("/capabilities", s.capabilities, ot)
	v1.GET("/projects", s.listProjects, rd)
	v1.POST("/projects", s.createProject, ot, small, idem)
	v1.GET("/projects/:id", s.getProject, rd)
	v1.DELETE("/projects/:id", s.deleteProject, ot)
	v1.PATCH("/projects/:id/settings", s.updateSettings, ot, small)
	v1.POST("/projects/:id/images", s.uploadImages, up, quota, upload, idem)
	v1.PUT("/projects/:id/slides", s.reorderSlides, ot, small)
	v1.PATCH("/projects/:id/slides/:slide", s.updateSlide, ot, small)
	v1.DELETE("/projects/:id/slides/:slide", s.removeSlide, ot)
	v1.POST("/projects/:id/slides/:slide/duplicate", s.duplicateSlide, ot, small, idem)
	v1.GET("/projects/:id/images/:asset/thumbnail", s.thumbnail, rd)
	v1.GET("/projects/:id/images/:asset/filmstrip", s.filmstrip, rd)
	v1.GET("/projects/:id/images/:asset/video", s.clipVideo, rd)
	v1.POST("/projects/:id/music", s.uploadMusic, up, quota, upload, idem)
	v1.PATCH("/projects/:id/music", s.updateMusic, ot, small)
	v1.DELETE("/projects/:id/music", s.removeMusic, ot)
	v1.GET("/projects/:id/music/audio", s.musicAudio, rd)
	v1.POST("/projects/:id/music/link", s.musicLink, lk, small, idem)
	v1.POST("/projects/:id/renders", s.startRender, rn, small, idem)
	v1.POST("/renders", s.renderSpec, rn, small, idem)
	v1.GET("/projects/:id/renders", s.listRenders, rd)
	v1.GET("/renders/:id", s.getRender, rd)
	v1.GET("/renders/:id/events", s.renderEvents, rd)
	v1.POST("/renders/:id/cancel", s.cancelRender, ot, small, idem)
	v1.GET("/renders/:id/webhooks", s.renderWebhooks, rd)
	v1.GET("/renders/:id/video", s.video, rd)
	v1.HEAD("/renders/:id/video", s.video, rd)
	v1.GET("/renders/:id/poster", s.poster, rd)
	v1.Any("/*", notFound)

	// The Python original's routes, answering in its shapes.
	// They take API keys and keep private mode too.
	ac := s.access
	e.POST("/upload_images", s.originUploadImages, ac, up, quota, upload)
	e.POST("/upload_audio", s.originUploadAudio, ac, up, quota, upload)
	e.POST("/download_youtube", s.originDownloadYouTube, ac, lk, small)
	e.POST("/generate_video", s.originGenerate, ac, rn, small)
	e.GET("/job_status/:id", s.originJobStatus, ac, rd)
	e.GET("/progress/:id", s.originProgress, ac, rd)
	e.GET("/download/:id", s.originDownload, ac, rd)
	e.HEAD("/download/:id", s.originDownload, ac, rd)

	if s.Admin != nil {
		s.Admin.Register(e)
	}
}

func notFound(echo.Context) error { return echo.ErrNotFound }

// chain makes one middleware of several, run in the order given.
func chain(ms ...echo.MiddlewareFunc) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		for i := len(ms) - 1; i >= 0; i-- {
			next = ms[i](next)
		}
		return next
	}
}
