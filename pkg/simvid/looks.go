package simvid

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// CaptionStyle is how a caption looks. Zero fields take the defaults.
type CaptionStyle struct {
	Position string  `json:"position,omitempty"` // top, center, bottom
	Size     float64 `json:"size,omitempty"`     // text height in % of the picture's short side
	Color    string  `json:"color,omitempty"`    // "#rrggbb"
	Backdrop string  `json:"backdrop,omitempty"` // shadow, box, none
}

// Caption defaults and choices.
const (
	DefaultCaptionPosition = "bottom"
	DefaultCaptionSize     = 5.0
	DefaultCaptionColor    = "#ffffff"
	DefaultCaptionBackdrop = "shadow"
	MaxCaptionBytes        = 500
)

var (
	CaptionPositions = []string{"top", "center", "bottom"}
	CaptionBackdrops = []string{"shadow", "box", "none"}
)

// SlideMotion returns slide i's motion name with the default applied ("auto" unresolved).
func (s *Spec) SlideMotion(i int) string {
	if m := s.Slides[i].Motion; m != "" {
		return m
	}
	if s.Defaults.Motion == "" {
		return DefaultMotion
	}
	return s.Defaults.Motion
}

// SlideStrength returns slide i's motion strength with the defaults applied.
func (s *Spec) SlideStrength(i int) float64 {
	if v := s.Slides[i].Strength; v != 0 {
		return v
	}
	if v := s.Defaults.MotionStrength; v != 0 {
		return v
	}
	return DefaultMotionStrength
}

// SlideCaptionStyle returns slide i's caption style: its own fields over the defaults'.
func (s *Spec) SlideCaptionStyle(i int) CaptionStyle {
	c := s.Defaults.Caption.with(s.Slides[i].CaptionStyle)
	if c.Position == "" {
		c.Position = DefaultCaptionPosition
	}
	if c.Size == 0 {
		c.Size = DefaultCaptionSize
	}
	if c.Color == "" {
		c.Color = DefaultCaptionColor
	}
	if c.Backdrop == "" {
		c.Backdrop = DefaultCaptionBackdrop
	}
	return c
}

// checkStrength validates a motion strength (0 = the default).
func checkStrength(field string, v float64) error {
	if v != 0 && (math.IsNaN(v) || v < MinMotionStrength || v > MaxMotionStrength) {
		return Errorf(EUnprocessable, "%s must be between %g and %g (got %g)", field, MinMotionStrength, MaxMotionStrength, v)
	}
	return nil
}

// checkCaptionStyle validates a caption style; zero fields are allowed (they inherit).
func checkCaptionStyle(field string, c CaptionStyle) error {
	if c.Position != "" && !slices.Contains(CaptionPositions, c.Position) {
		return Errorf(EUnprocessable, "%s.position must be one of %s (got %q)", field, strings.Join(CaptionPositions, ", "), c.Position)
	}
	if c.Size != 0 && (math.IsNaN(c.Size) || c.Size < 2 || c.Size > 15) {
		return Errorf(EUnprocessable, "%s.size must be between 2 and 15 (%% of the short side; got %g)", field, c.Size)
	}
	if c.Color != "" && !colorRE.MatchString(c.Color) {
		return Errorf(EUnprocessable, "%s.color must be a colour like #ffffff (got %q)", field, c.Color)
	}
	if c.Backdrop != "" && !slices.Contains(CaptionBackdrops, c.Backdrop) {
		return Errorf(EUnprocessable, "%s.backdrop must be one of %s (got %q)", field, strings.Join(CaptionBackdrops, ", "), c.Backdrop)
	}
	return nil
}

// validateLooks checks the motion, caption and music fields Validate leaves to it.
func (s *Spec) validateLooks() error {
	if err := checkStrength("defaults.motion_strength", s.Defaults.MotionStrength); err != nil {
		return err
	}
	if err := checkCaptionStyle("defaults.caption", s.Defaults.Caption); err != nil {
		return err
	}
	if err := checkTitle("title", s.Title); err != nil {
		return err
	}
	if err := checkTitle("end", s.End); err != nil {
		return err
	}
	for i, sl := range s.Slides {
		f := fmt.Sprintf("slides[%d]", i)
		if err := checkStrength(f+".motion_strength", sl.Strength); err != nil {
			return err
		}
		if sl.CaptionStyle != nil {
			if err := checkCaptionStyle(f+".caption_style", *sl.CaptionStyle); err != nil {
				return err
			}
		}
	}
	return nil
}

// with returns c with the fields o sets (a nil o sets none).
func (c CaptionStyle) with(o *CaptionStyle) CaptionStyle {
	if o == nil {
		return c
	}
	if o.Position != "" {
		c.Position = o.Position
	}
	if o.Size != 0 {
		c.Size = o.Size
	}
	if o.Color != "" {
		c.Color = o.Color
	}
	if o.Backdrop != "" {
		c.Backdrop = o.Backdrop
	}
	return c
}
