package simvid

// Spec is what a user asks for: the whole description of one video. A project holds the spec
// being edited; a render holds a frozen copy. Zero values mean "use the default" so that a
// partial spec from the API is valid; Normalize fills them in.
type Spec struct {
	Output     Output         `json:"output"`
	Defaults   SlideDefaults  `json:"defaults"`
	Slides     []Slide        `json:"slides"`
	Transition TransitionSpec `json:"transition"`
	Audio      []AudioClip    `json:"audio,omitempty"`
	Music      MusicSpec      `json:"music"`
	Title      *TitleSlide    `json:"title,omitempty"` // a text slide before the pictures
	End        *TitleSlide    `json:"end,omitempty"`   // a text slide after them
	// BeatSync places every cut on a beat of the music (issue 22).
	BeatSync bool `json:"beat_sync,omitempty"`
	// Order is the order the slides play in: "upload" (as listed, the default), "name" or
	// "taken" (issue 22).
	Order string `json:"order,omitempty"`
	// Chapters "day" inserts a title slide where the date taken changes; "" none.
	Chapters string `json:"chapters,omitempty"`
}

// Output is the encoded video's shape.
type Output struct {
	Resolution string `json:"resolution"`       // "1920x1080"; set from aspect and lines when those are given
	Aspect     string `json:"aspect,omitempty"` // 16:9, 9:16, 1:1, 4:5 (see Aspects)
	Lines      int    `json:"lines,omitempty"`  // the short side of an aspect preset (see Lines)
	FPS        int    `json:"fps"`              // 30
	Quality    string `json:"quality"`          // draft, standard, high
}

// SlideDefaults apply to every slide that does not say otherwise.
type SlideDefaults struct {
	Duration   float64 `json:"duration" unit:"seconds"`
	Fit        string  `json:"fit"`        // contain, blur, cover
	Motion     string  `json:"motion"`     // none, zoom-in, zoom-out, pan-left/right/up/down, auto
	Background string  `json:"background"` // "#rrggbb", for contain
	// MotionStrength is how far a motion goes: the zoom factor minus one (0.15 = 15 %), or
	// the part of the picture's width or height a pan travels.
	MotionStrength float64      `json:"motion_strength,omitempty"`
	Caption        CaptionStyle `json:"caption"` // how captions look
}

// Slide is one picture on the timeline. ID identifies the slide (the same picture may appear
// twice); Asset is the image asset id. Zero fields take the defaults.
type Slide struct {
	ID       string  `json:"id,omitempty"`
	Asset    string  `json:"asset"`
	Duration float64 `json:"duration,omitempty" unit:"seconds"`
	Fit      string  `json:"fit,omitempty"`
	Motion   string  `json:"motion,omitempty"`
	Strength float64 `json:"motion_strength,omitempty"` // 0 = the default
	Caption  string  `json:"caption,omitempty"`
	// CaptionStyle overrides the default caption style field by field (zero fields inherit).
	CaptionStyle *CaptionStyle `json:"caption_style,omitempty"`
	Focus        []float64     `json:"focus,omitempty"`      // [x, y] in 0..1, for cover
	Transition   string        `json:"transition,omitempty"` // the transition out of this slide
	// Clips (issue 21): the part of the clip to play, in seconds of the clip (Out 0 = to its
	// end), its speed (0 = 1; 0.5..2) and whether its own sound is muted. The slide lasts
	// (Out-In)/Speed unless Duration is given: a shorter one cuts the clip, a longer one
	// holds its last frame.
	In    float64 `json:"in,omitempty" unit:"seconds"`
	Out   float64 `json:"out,omitempty" unit:"seconds"`
	Speed float64 `json:"speed,omitempty"`
	Mute  bool    `json:"mute,omitempty"`
}

// TransitionSpec is the default transition between slides.
type TransitionSpec struct {
	Name     string  `json:"name"` // none, fade, or a probed xfade name
	Duration float64 `json:"duration" unit:"seconds"`
}

// AudioClip is one piece of music: an audio asset and the part of it to use.
type AudioClip struct {
	Asset string  `json:"asset"`
	Start float64 `json:"start,omitempty" unit:"seconds"` // into the track
	End   float64 `json:"end,omitempty" unit:"seconds"`   // 0 = to the end of the track
}

// MusicSpec says how the music fits the slides.
type MusicSpec struct {
	Fit     string   `json:"fit"` // loop (repeat to cover), trim (cut at the end), slides (stretch the slides to the music)
	FadeIn  float64  `json:"fade_in" unit:"seconds"`
	FadeOut *float64 `json:"fade_out,omitempty" unit:"seconds"` // nil = default 1.5, 0 = none
	Volume  float64  `json:"volume,omitempty"`                  // 0 = 1.0
	// Normalize brings the music to -16 LUFS (EBU R128, as streaming services play it)
	// before the volume applies.
	Normalize bool `json:"normalize,omitempty"`
	// DuckDB is how far the music drops while a clip's own sound plays (issue 21): nil =
	// the default -12 dB, 0 = no ducking.
	DuckDB *float64 `json:"duck_db,omitempty"`
}

// Defaults for a spec's zero values.
const (
	DefaultResolution = "1920x1080"
	DefaultFPS        = 30
	DefaultQuality    = "standard"
	DefaultDuration   = 3.0
	DefaultFit        = "contain"
	DefaultMotion     = "none"
	DefaultBackground = "#000000"
	DefaultTransition = "fade"
	DefaultTransDur   = 0.5
	DefaultMusicFit   = "loop"
	DefaultFadeOut    = 1.5
	MinSlideDuration  = 0.5
	MaxSlideDuration  = 30.0
	MaxTransitionDur  = 2.0

	DefaultMotionStrength = 0.15
	MinMotionStrength     = 0.05
	MaxMotionStrength     = 0.5
)

// Resolutions the origin offered, plus square and 4:5. Order is for display.
var Resolutions = []string{
	"640x480", "854x480", "1280x720", "1920x1080", "2560x1440", "3840x2160",
	"480x640", "480x854", "720x1280", "1080x1920", "1440x2560", "2160x3840",
	"1080x1080", "1080x1350",
}

// Fits, motions, qualities and music fits this build accepts.
var (
	Fits      = []string{"contain", "blur", "cover"}
	Motions   = []string{"none", "zoom-in", "zoom-out", "pan-left", "pan-right", "pan-up", "pan-down", "auto"}
	Qualities = []string{"draft", "standard", "high"}
	MusicFits = []string{"loop", "trim", "slides"}
)

// FadeOutSeconds returns the music fade-out with its default applied.
func (m MusicSpec) FadeOutSeconds() float64 {
	if m.FadeOut == nil {
		return DefaultFadeOut
	}
	return *m.FadeOut
}

// UsesAsset reports whether any slide or music clip of the spec refers to asset id.
func (s *Spec) UsesAsset(id string) bool {
	for _, sl := range s.Slides {
		if sl.Asset == id {
			return true
		}
	}
	for _, a := range s.Audio {
		if a.Asset == id {
			return true
		}
	}
	return false
}
