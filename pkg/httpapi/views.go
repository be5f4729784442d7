package httpapi

import (
	"cmp"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

// projectView is the JSON shape of a project (docs/api.md).
type projectView struct {
	ID        string       `json:"id"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
	ExpiresAt *time.Time   `json:"expires_at"`
	Spec      specSettings `json:"spec"`
	Slides    []slideView  `json:"slides"`
	Music     *musicView   `json:"music"`
	Renders   []renderView `json:"renders"`
}

type specSettings struct {
	Output     simvid.Output         `json:"output"`
	Defaults   simvid.SlideDefaults  `json:"defaults"`
	Transition simvid.TransitionSpec `json:"transition"`
	Music      musicSettings         `json:"music"`
	Title      *simvid.TitleSlide    `json:"title"`
	End        *simvid.TitleSlide    `json:"end"`
	Order      string                `json:"order"`    // upload, name or taken
	Chapters   string                `json:"chapters"` // "" or day
	BeatSync   bool                  `json:"beat_sync"`
}

type musicSettings struct {
	Fit     string  `json:"fit"`
	FadeIn  float64 `json:"fade_in"`
	FadeOut float64 `json:"fade_out"`
	Volume  float64 `json:"volume"`
	Norm    bool    `json:"normalize"`
}

type slideView struct {
	ID           string               `json:"id"`
	Asset        string               `json:"asset"`
	Duration     float64              `json:"duration"`
	Fit          string               `json:"fit"`
	Motion       string               `json:"motion"`
	Caption      string               `json:"caption"`
	Focus        []float64            `json:"focus"`
	Transition   string               `json:"transition"`
	Strength     float64              `json:"motion_strength"`
	CaptionStyle *simvid.CaptionStyle `json:"caption_style"`
	Filename     string               `json:"filename"`
	Width        int                  `json:"width"`
	Height       int                  `json:"height"`
	ThumbnailURL string               `json:"thumbnail_url"`
	// Kind is "image" or "clip"; a clip's slide also has its trim, speed and sound, what
	// intake probed, and the links of its filmstrip and of the clip itself (for a preview).
	Kind         string           `json:"kind"`
	In           float64          `json:"in,omitempty"`
	Out          float64          `json:"out,omitempty"`
	Speed        float64          `json:"speed,omitempty"`
	Mute         bool             `json:"mute,omitempty"`
	ClipDuration float64          `json:"clip_duration,omitempty"`
	Clip         *simvid.ClipInfo `json:"clip,omitempty"`
	FilmstripURL string           `json:"filmstrip_url,omitempty"`
	VideoURL     string           `json:"video_url,omitempty"`
	TakenAt      *time.Time       `json:"taken_at"` // with the photo's own offset; null when unknown
}

type musicView struct {
	Asset    string            `json:"asset"`
	Filename string            `json:"filename"`
	State    simvid.AssetState `json:"state"`
	Error    string            `json:"error"`
	Duration float64           `json:"duration"`
	Start    float64           `json:"start"`
	End      float64           `json:"end"`
	Peaks    []float32         `json:"peaks"`
	Beats    *simvid.Beats     `json:"beats"`                // over the whole track; null until found
	Source   string            `json:"source_url,omitempty"` // the link it was fetched from
	Progress float64           `json:"progress"`             // 0..100 while fetching
	AudioURL string            `json:"audio_url,omitempty"`  // the working copy, once ready
}

func (s *Server) viewProject(p *simvid.Project, assets map[string]*simvid.Asset, renders []*simvid.Render, expires time.Time) projectView {
	sp := p.Spec
	sp.Normalize()
	v := projectView{
		ID: p.ID, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		Spec: specSettings{Output: sp.Output, Defaults: sp.Defaults, Transition: sp.Transition,
			Music: musicSettings{Fit: sp.Music.Fit, FadeIn: sp.Music.FadeIn, FadeOut: sp.Music.FadeOutSeconds(), Volume: sp.Music.Volume,
				Norm: sp.Music.Normalize}, Title: sp.Title, End: sp.End, Order: cmp.Or(sp.Order, simvid.OrderUpload), Chapters: sp.Chapters, BeatSync: sp.BeatSync},
		Slides:  make([]slideView, 0, len(p.Spec.Slides)),
		Renders: make([]renderView, 0, len(renders)),
	}
	if !expires.IsZero() {
		v.ExpiresAt = &expires
	}
	for _, sl := range p.Spec.Slides {
		v.Slides = append(v.Slides, viewSlide(p.ID, sl, assets[sl.Asset]))
	}
	if len(p.Spec.Audio) > 0 {
		c := p.Spec.Audio[0]
		m := &musicView{Asset: c.Asset, Start: c.Start, End: c.End, State: simvid.AssetFailed, Error: "the music file is gone"}
		if a := assets[c.Asset]; a != nil {
			m.Filename, m.State, m.Error, m.Duration, m.Peaks = a.OriginalName, a.State, a.Error, a.Duration, a.Peaks
			m.Source, m.Progress, m.Beats = a.SourceURL, a.Progress, a.Beats
			if a.State == simvid.AssetReady {
				m.AudioURL = "/api/v1/projects/" + p.ID + "/music/audio"
			}
		}
		v.Music = m
	}
	for _, r := range renders {
		v.Renders = append(v.Renders, viewRender(r))
	}
	return v
}

// renderView is the JSON shape of a render (docs/api.md).
type renderView struct {
	ID          string             `json:"id"`
	ProjectID   string             `json:"project_id"`
	State       simvid.RenderState `json:"state"`
	Progress    float64            `json:"progress"`
	ETA         float64            `json:"eta"`
	Message     string             `json:"message"`
	Error       string             `json:"error"`
	Warnings    []string           `json:"warnings"`
	FramesTotal int64              `json:"frames_total"`
	FramesDone  int64              `json:"frames_done"`
	Duration    float64            `json:"duration"`
	OutputSize  int64              `json:"output_size"`
	Attempts    int                `json:"attempts"`
	CreatedAt   time.Time          `json:"created_at"`
	StartedAt   *time.Time         `json:"started_at"`
	FinishedAt  *time.Time         `json:"finished_at"`
	Timings     timings            `json:"timings"`
	OutputURL   string             `json:"output_url,omitempty"`
	VideoURL    string             `json:"video_url,omitempty"`
	PosterURL   string             `json:"poster_url,omitempty"`
	DownloadURL string             `json:"download_url,omitempty"`
	EventsURL   string             `json:"events_url"`
	WebhooksURL string             `json:"webhooks_url"`
	CallbackURL string             `json:"callback_url,omitempty"`
	Preview     bool               `json:"preview"` // a quick small draft
	Resolution  string             `json:"resolution"`
}

// timings are the seconds a render spent waiting, working and in all, as far as it got.
type timings struct {
	Queued float64  `json:"queued"`
	Render *float64 `json:"render"`
	Total  *float64 `json:"total"`
}

func viewTimings(r *simvid.Render, now time.Time) timings {
	secs := func(a, b time.Time) *float64 { v := round1(max(b.Sub(a).Seconds(), 0)); return &v }
	var t timings
	end := now
	if r.FinishedAt != nil {
		end = *r.FinishedAt
	}
	if r.StartedAt != nil {
		t.Queued = *secs(r.CreatedAt, *r.StartedAt)
		t.Render = secs(*r.StartedAt, end)
	} else {
		t.Queued = *secs(r.CreatedAt, end)
	}
	if r.FinishedAt != nil {
		t.Total = secs(r.CreatedAt, *r.FinishedAt)
	}
	return t
}

func viewRender(r *simvid.Render) renderView {
	v := renderView{
		ID: r.ID, ProjectID: r.ProjectID, State: r.State, Progress: round1(r.Progress), ETA: round1(r.ETA),
		Message: r.Message, Error: r.Error, Warnings: r.Warnings, FramesTotal: r.FramesTotal, FramesDone: r.FramesDone,
		Duration: r.Duration, OutputSize: r.OutputSize, Attempts: r.Attempts, CreatedAt: r.CreatedAt, StartedAt: r.StartedAt,
		FinishedAt: r.FinishedAt, EventsURL: "/api/v1/renders/" + r.ID + "/events",
		WebhooksURL: "/api/v1/renders/" + r.ID + "/webhooks", Timings: viewTimings(r, time.Now()), CallbackURL: r.CallbackURL,
		Preview: r.Spec.Output.IsPreview(), Resolution: r.Spec.Output.Resolution,
	}
	if v.Warnings == nil {
		v.Warnings = []string{}
	}
	if r.State == simvid.StateDone {
		base := "/api/v1/renders/" + r.ID
		v.VideoURL, v.PosterURL, v.DownloadURL = base+"/video", base+"/poster", base+"/video?download=1"
		v.OutputURL = v.VideoURL
	}
	return v
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

// viewSlide is a slide with its picture's facts; every field is present, zero meaning "the
// project default".
func viewSlide(projectID string, sl simvid.Slide, a *simvid.Asset) slideView {
	v := slideView{ID: sl.ID, Asset: sl.Asset, Duration: sl.Duration, Fit: sl.Fit, Motion: sl.Motion,
		Caption: sl.Caption, Focus: sl.Focus, Transition: sl.Transition, Strength: sl.Strength, CaptionStyle: sl.CaptionStyle,
		ThumbnailURL: "/api/v1/projects/" + projectID + "/images/" + sl.Asset + "/thumbnail"}
	v.Kind, v.In, v.Out, v.Speed, v.Mute = simvid.KindImage, sl.In, sl.Out, sl.Speed, sl.Mute
	if a != nil {
		v.Filename, v.Width, v.Height = a.OriginalName, a.Width, a.Height
		if a.Kind == simvid.KindClip {
			base := "/api/v1/projects/" + projectID + "/images/" + sl.Asset
			v.Kind, v.ClipDuration, v.Clip = a.Kind, a.Duration, a.Clip
			v.FilmstripURL, v.VideoURL = base+"/filmstrip", base+"/video"
		}
		v.TakenAt = a.TakenAt
	}
	return v
}
