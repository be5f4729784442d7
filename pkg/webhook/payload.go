package webhook

import (
	"encoding/json"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

// Body is the JSON a webhook receives (docs/api.md, "Webhooks").
type Body struct {
	Event     string     `json:"event"` // render.done, render.failed, render.canceled
	CreatedAt time.Time  `json:"created_at"`
	Render    RenderInfo `json:"render"`
}

// RenderInfo is the finished render, as GET /api/v1/renders/:id shows its main fields.
type RenderInfo struct {
	ID         string     `json:"id"`
	ProjectID  string     `json:"project_id"`
	State      string     `json:"state"`
	Error      string     `json:"error"`
	Duration   float64    `json:"duration"`
	OutputSize int64      `json:"output_size"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	URL        string     `json:"url"`        // the render's JSON view
	OutputURL  string     `json:"output_url"` // the video, when done
	PosterURL  string     `json:"poster_url"` // its poster, when done
}

// Event is the event name of a finished render.
func Event(r *simvid.Render) string { return "render." + string(r.State) }

// Payload builds the body for a finished render; base is the service's public URL ("" for
// links relative to it).
func Payload(r *simvid.Render, base string, now time.Time) []byte {
	link := base + "/api/v1/renders/" + r.ID
	info := RenderInfo{ID: r.ID, ProjectID: r.ProjectID, State: string(r.State), Error: r.Error, Duration: r.Duration,
		OutputSize: r.OutputSize, CreatedAt: r.CreatedAt, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, URL: link}
	if r.State == simvid.StateDone {
		info.OutputURL, info.PosterURL = link+"/video", link+"/poster"
	}
	b, _ := json.Marshal(Body{Event: Event(r), CreatedAt: now.UTC().Truncate(time.Second), Render: info})
	return b
}
