package simvid

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Normalize fills a spec's zero values with the defaults, in place. It never fails; Validate
// says what is wrong with the result.
func (s *Spec) Normalize() {
	s.Output.normalizeAspect()
	s.normalizeTitles()
	if s.Output.Resolution == "" {
		s.Output.Resolution = DefaultResolution
	}
	if s.Output.FPS == 0 {
		s.Output.FPS = DefaultFPS
	}
	if s.Output.Quality == "" {
		s.Output.Quality = DefaultQuality
	}
	if s.Defaults.Duration == 0 {
		s.Defaults.Duration = DefaultDuration
	}
	if s.Defaults.Fit == "" {
		s.Defaults.Fit = DefaultFit
	}
	if s.Defaults.Motion == "" {
		s.Defaults.Motion = DefaultMotion
	}
	if s.Defaults.Background == "" {
		s.Defaults.Background = DefaultBackground
	}
	if s.Transition.Name == "" {
		s.Transition.Name = DefaultTransition
	}
	if s.Transition.Duration == 0 && s.Transition.Name != "none" {
		s.Transition.Duration = DefaultTransDur
	}
	if s.Music.Fit == "" {
		s.Music.Fit = DefaultMusicFit
	}
	if s.Music.Volume == 0 {
		s.Music.Volume = 1
	}
}

// Limits bound a spec; they come from the configuration.
type Limits struct {
	MaxSlides      int     // slides per render
	MaxVideoLength float64 // seconds
}

// Validate checks a normalized spec. transitions lists the transition names this machine's
// ffmpeg supports (besides "none"). The error names the field and the value's allowed range.
func (s *Spec) Validate(transitions []string, lim Limits) error {
	if s.Output.Aspect != "" {
		if _, _, err := AspectSize(s.Output.Aspect, s.Output.Lines); err != nil {
			return err
		}
	}
	if _, _, err := ParseResolution(s.Output.Resolution); err != nil {
		return err
	}
	if !slices.Contains(FrameRates, s.Output.FPS) {
		return Errorf(EUnprocessable, "output.fps must be one of %s (got %d)", joinInts(FrameRates), s.Output.FPS)
	}
	if !slices.Contains(Qualities, s.Output.Quality) {
		return Errorf(EUnprocessable, "output.quality must be one of %s (got %q)", strings.Join(Qualities, ", "), s.Output.Quality)
	}
	if err := checkDuration("defaults.duration", s.Defaults.Duration); err != nil {
		return err
	}
	if !slices.Contains(Fits, s.Defaults.Fit) {
		return Errorf(EUnprocessable, "defaults.fit must be one of %s (got %q)", strings.Join(Fits, ", "), s.Defaults.Fit)
	}
	if !slices.Contains(Motions, s.Defaults.Motion) {
		return Errorf(EUnprocessable, "defaults.motion must be one of %s (got %q)", strings.Join(Motions, ", "), s.Defaults.Motion)
	}
	if !colorRE.MatchString(s.Defaults.Background) {
		return Errorf(EUnprocessable, "defaults.background must be a colour like #000000 (got %q)", s.Defaults.Background)
	}
	if err := checkTransition("transition.name", s.Transition.Name, transitions); err != nil {
		return err
	}
	if s.Transition.Name != "none" && (s.Transition.Duration < 0.1 || s.Transition.Duration > MaxTransitionDur) {
		return Errorf(EUnprocessable, "transition.duration must be between 0.1 and %g seconds (got %g)", MaxTransitionDur, s.Transition.Duration)
	}
	if lim.MaxSlides > 0 && len(s.Slides) > lim.MaxSlides {
		return Errorf(ETooLarge, "a render may have at most %d slides (got %d)", lim.MaxSlides, len(s.Slides))
	}
	total := 0.0
	for i, sl := range s.Slides {
		f := fmt.Sprintf("slides[%d]", i)
		if !ValidID(PrefixImage, sl.Asset) {
			return Errorf(EUnprocessable, "%s.asset is not an image id", f)
		}
		if err := sl.validateTrim(f); err != nil {
			return err
		}
		d := s.SlideDuration(i)
		if err := checkDuration(f+".duration", d); err != nil {
			return err
		}
		total += d
		if sl.Fit != "" && !slices.Contains(Fits, sl.Fit) {
			return Errorf(EUnprocessable, "%s.fit must be one of %s (got %q)", f, strings.Join(Fits, ", "), sl.Fit)
		}
		if sl.Motion != "" && !slices.Contains(Motions, sl.Motion) {
			return Errorf(EUnprocessable, "%s.motion must be one of %s (got %q)", f, strings.Join(Motions, ", "), sl.Motion)
		}
		if sl.Transition != "" {
			if err := checkTransition(f+".transition", sl.Transition, transitions); err != nil {
				return err
			}
		}
		if len(sl.Caption) > 500 {
			return Errorf(EUnprocessable, "%s.caption is longer than 500 bytes", f)
		}
		if sl.Focus != nil && (len(sl.Focus) != 2 || sl.Focus[0] < 0 || sl.Focus[0] > 1 || sl.Focus[1] < 0 || sl.Focus[1] > 1) {
			return Errorf(EUnprocessable, "%s.focus must be [x, y] with both in 0..1", f)
		}
	}
	if err := s.validateLooks(); err != nil {
		return err
	}
	if err := s.validateOrder(); err != nil {
		return err
	}
	for _, t := range []*TitleSlide{s.Title, s.End} {
		if t != nil {
			total += t.Seconds()
		}
	}
	if lim.MaxVideoLength > 0 && total > lim.MaxVideoLength {
		return Errorf(ETooLarge, "the video would last %.1f s; the limit is %.0f s", total, lim.MaxVideoLength)
	}
	if len(s.Audio) > 1 {
		return Errorf(EUnprocessable, "audio may hold one track")
	}
	for i, a := range s.Audio {
		f := fmt.Sprintf("audio[%d]", i)
		if !ValidID(PrefixAudio, a.Asset) {
			return Errorf(EUnprocessable, "%s.asset is not an audio id", f)
		}
		if a.Start < 0 || a.End < 0 || (a.End != 0 && a.End <= a.Start) || math.IsNaN(a.Start) || math.IsNaN(a.End) {
			return Errorf(EUnprocessable, "%s: start must be 0 or more and end after start (got %g..%g)", f, a.Start, a.End)
		}
	}
	if !slices.Contains(MusicFits, s.Music.Fit) {
		return Errorf(EUnprocessable, "music.fit must be one of %s (got %q)", strings.Join(MusicFits, ", "), s.Music.Fit)
	}
	if s.Music.FadeIn < 0 || s.Music.FadeIn > 30 {
		return Errorf(EUnprocessable, "music.fade_in must be between 0 and 30 seconds")
	}
	if fo := s.Music.FadeOutSeconds(); fo < 0 || fo > 30 {
		return Errorf(EUnprocessable, "music.fade_out must be between 0 and 30 seconds")
	}
	if s.Music.Volume < 0 || s.Music.Volume > 4 {
		return Errorf(EUnprocessable, "music.volume must be between 0 and 4")
	}
	return nil
}

// SlideDuration returns slide i's duration with the default applied.
func (s *Spec) SlideDuration(i int) float64 {
	if d := s.Slides[i].Duration; d != 0 {
		return d
	}
	return s.Defaults.Duration
}

// SlideFit returns slide i's fit with the default applied.
func (s *Spec) SlideFit(i int) string {
	if f := s.Slides[i].Fit; f != "" {
		return f
	}
	return s.Defaults.Fit
}

// TransitionOut returns the name of the transition from slide i into slide i+1.
func (s *Spec) TransitionOut(i int) string {
	if t := s.Slides[i].Transition; t != "" {
		return t
	}
	return s.Transition.Name
}

func checkDuration(field string, d float64) error {
	if math.IsNaN(d) || d < MinSlideDuration || d > MaxSlideDuration {
		return Errorf(EUnprocessable, "%s must be between %g and %g seconds (got %g)", field, MinSlideDuration, MaxSlideDuration, d)
	}
	return nil
}

func checkTransition(field, name string, supported []string) error {
	if name == "none" || name == "random" || slices.Contains(supported, name) {
		return nil
	}
	return Errorf(EUnprocessable, "%s %q is not available; use none, random or one of: %s", field, name, strings.Join(supported, ", "))
}

// ParseResolution parses "WxH" from the list of supported resolutions or the aspect presets.
func ParseResolution(r string) (w, h int, err error) {
	if !slices.Contains(Resolutions, r) && !slices.Contains(PresetResolutions(), r) {
		return 0, 0, Errorf(EUnprocessable, "output.resolution must be one of %s (got %q)", strings.Join(Resolutions, ", "), r)
	}
	a, b, _ := strings.Cut(r, "x")
	w, _ = strconv.Atoi(a)
	h, _ = strconv.Atoi(b)
	return w, h, nil
}
