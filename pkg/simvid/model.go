package simvid

import "time"

// Project is one slideshow being made. Its id is the capability that grants access to it.
// Spec.Slides is the ordered list of slides; Spec.Audio the chosen music.
type Project struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"` // last activity; expiry counts from here
	Spec      Spec      `json:"spec"`
	OwnerKey  string    `json:"-"` // API key id that created it; empty for anonymous projects
}

// Asset kinds.
const (
	KindImage = "image"
	KindAudio = "audio"
	KindClip  = "clip" // a video clip shown as a slide (issue 21)
)

// AssetState is where an asset is on its way to being usable: an image is ready after intake;
// music is ready once the audio queue has made its working copy. Music from a link is
// fetching until the audio queue has it.
type AssetState string

// Asset states.
const (
	AssetFetching   AssetState = "fetching"
	AssetProcessing AssetState = "processing"
	AssetReady      AssetState = "ready"
	AssetFailed     AssetState = "failed"
)

// Asset is one uploaded file. OriginalName is for display only and never part of a path.
type Asset struct {
	ID           string     `json:"id"`
	ProjectID    string     `json:"project_id"`
	Kind         string     `json:"kind"`
	State        AssetState `json:"state"`
	Error        string     `json:"error,omitempty"` // user-facing, when State is failed
	SHA256       string     `json:"sha256"`
	OriginalName string     `json:"filename"`
	Size         int64      `json:"size"`
	Format       string     `json:"format"`                // jpeg, png, webp, gif, bmp, tiff; mp3, aac, wav, ...
	Width        int        `json:"width,omitempty"`       // upright (after EXIF orientation)
	Height       int        `json:"height,omitempty"`      // upright
	Orientation  int        `json:"orientation,omitempty"` // EXIF 1..8; 0 or 1 = as stored
	PixFmt       string     `json:"pix_fmt,omitempty"`     // pictures: the header's colour model (ycbcr, rgb, rgba, gray, paletted...); older rows: ffprobe's pix_fmt
	Duration     float64    `json:"duration,omitempty"`    // seconds, audio
	Codec        string     `json:"codec,omitempty"`
	Peaks        []float32  `json:"peaks,omitempty"` // waveform, 0..1, audio
	CreatedAt    time.Time  `json:"created_at"`
	SourceURL    string     `json:"source_url,omitempty"` // the link music was fetched from
	Progress     float64    `json:"progress,omitempty"`   // 0..100 while fetching
	// TakenAt is when a photo or clip was taken: EXIF DateTimeOriginal with its offset, else
	// a clip's creation_time; nil when unknown (issue 22's "order": "taken").
	TakenAt *time.Time `json:"taken_at,omitempty"`
	// Clip describes a video clip (Kind clip): what intake probed. Width, Height, Duration,
	// Codec and Format of the asset are the clip's upright display size, length, video
	// codec and container.
	Clip *ClipInfo `json:"clip,omitempty"`
	// Beats are the music's beats over the whole track (Kind audio), found once on the
	// audio queue; nil until found.
	Beats *Beats `json:"beats,omitempty"`
}

// ClipInfo is what intake learned of a video clip beyond the asset's common fields.
type ClipInfo struct {
	FPS      float64 `json:"fps"`                // average frame rate
	VFR      bool    `json:"vfr,omitempty"`      // variable frame rate
	Frames   int     `json:"frames,omitempty"`   // frames, when the container says
	Rotation int     `json:"rotation,omitempty"` // degrees clockwise that make it upright: 0, 90, 180, 270
	HasAudio bool    `json:"has_audio"`
	// HDR is the transfer of an HDR clip: "hlg" or "pq"; "" for SDR.
	HDR      string `json:"hdr,omitempty"`
	BitDepth int    `json:"bit_depth,omitempty"`
	// Matrix is the YUV matrix the stream names (ffprobe's color_space: "bt709",
	// "smpte170m", ...); "" when it names none, and the render guesses from the size.
	Matrix string `json:"matrix,omitempty"`
	// CodedWidth and CodedHeight are the stored frame size, before rotation and the sample
	// aspect ratio.
	CodedWidth  int `json:"coded_width,omitempty"`
	CodedHeight int `json:"coded_height,omitempty"`
}

// Beats are a music track's beats: times in seconds from the start of the whole track, and
// the tempo. Tempo 0 and no times mean the track has no clear beat.
type Beats struct {
	Tempo float64   `json:"tempo"` // beats per minute
	Times []float64 `json:"times"`
}

// RenderState is where a render is in its life: queued, then preparing, rendering and
// finalizing while a worker runs it, and at last done, failed or canceled.
type RenderState string

// Render states.
const (
	StateQueued     RenderState = "queued"
	StatePreparing  RenderState = "preparing"
	StateRendering  RenderState = "rendering"
	StateFinalizing RenderState = "finalizing"
	StateDone       RenderState = "done"
	StateFailed     RenderState = "failed"
	StateCanceled   RenderState = "canceled"
)

// UnfinishedStates returns the states of a render that has not ended yet (a fresh slice, so
// that no caller can change another's): what the per-client render cap counts, what the
// reconciler looks after and what a project delete waits for.
func UnfinishedStates() []RenderState {
	return []RenderState{StateQueued, StatePreparing, StateRendering, StateFinalizing}
}

// ParseRenderState returns the state named s, or false when s names none.
func ParseRenderState(s string) (RenderState, bool) {
	switch st := RenderState(s); st {
	case StateQueued, StatePreparing, StateRendering, StateFinalizing, StateDone, StateFailed, StateCanceled:
		return st, true
	}
	return "", false
}

// Finished reports whether the state is terminal.
func (s RenderState) Finished() bool {
	return s == StateDone || s == StateFailed || s == StateCanceled
}

// Render is one run of a frozen spec. The database record is the truth; the queue only
// carries its id.
type Render struct {
	ID          string      `json:"id"`
	ProjectID   string      `json:"project_id"`
	Spec        Spec        `json:"spec"`
	State       RenderState `json:"state"`
	Progress    float64     `json:"progress"` // 0..100
	ETA         float64     `json:"eta"`      // seconds left, 0 when unknown or finished
	Message     string      `json:"message"`  // stage, for people
	Error       string      `json:"error,omitempty"`
	ErrorDetail string      `json:"-"` // ffmpeg stderr excerpt, for operators
	Warnings    []string    `json:"warnings"`
	FramesTotal int64       `json:"frames_total"`
	FramesDone  int64       `json:"frames_done"`
	Duration    float64     `json:"duration"` // seconds of video
	OutputSize  int64       `json:"output_size"`
	Attempts    int         `json:"attempts"`
	Client      string      `json:"-"`                      // client key (IP or API key) for the unfinished-render limit
	CallbackURL string      `json:"callback_url,omitempty"` // webhook called when it finishes; "" = the key's, if any
	LinkBase    string      `json:"-"`                      // scheme://host of its webhook body's links, from the request that made it
	Worker      string      `json:"-"`                      // host:pid that ran it last
	CancelAsked bool        `json:"-"`
	CreatedAt   time.Time   `json:"created_at"`
	StartedAt   *time.Time  `json:"started_at,omitempty"`
	FinishedAt  *time.Time  `json:"finished_at,omitempty"`
	UpdatedAt   time.Time   `json:"updated_at"`
}
