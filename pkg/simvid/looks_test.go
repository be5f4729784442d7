package simvid

import (
	"strings"
	"testing"
)

func TestLooksValidation(t *testing.T) {
	t.Parallel()
	base := func() Spec {
		s := Spec{Slides: []Slide{{Asset: NewID(PrefixImage), Duration: 10}}}
		return s
	}
	cases := []struct {
		name string
		edit func(s *Spec)
		want string
	}{
		{"strength", func(s *Spec) { s.Slides[0].Strength = 0.9 }, "slides[0].motion_strength must be between 0.05 and 0.5"},
		{"motion", func(s *Spec) { s.Slides[0].Motion = "spin" }, "slides[0].motion must be one of"},
		{"caption size", func(s *Spec) { s.Defaults.Caption.Size = 40 }, "defaults.caption.size must be between 2 and 15"},
		{"caption colour", func(s *Spec) { s.Slides[0].CaptionStyle = &CaptionStyle{Color: "white"} }, "slides[0].caption_style.color"},
		{"title colour", func(s *Spec) { s.Title = &TitleSlide{Text: "x", Background: "red"} }, "title.background"},
		{"end duration", func(s *Spec) { s.End = &TitleSlide{Text: "x", Duration: 99} }, "end.duration"},
		{"titles count", func(s *Spec) { s.Title = &TitleSlide{Text: "x", Duration: 6} }, "the video would last 16.0 s"},
		{"music fit", func(s *Spec) { s.Music.Fit = "stretch" }, "music.fit must be one of loop, trim, slides"},
	}
	for _, c := range cases {
		s := base()
		c.edit(&s)
		s.Normalize()
		err := s.Validate([]string{"fade"}, Limits{MaxVideoLength: 15})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	// A title without text is removed; good looks pass.
	s := base()
	s.Title = &TitleSlide{}
	s.Slides[0].Motion, s.Slides[0].Strength, s.Music.Fit = "auto", 0.3, "slides"
	s.Normalize()
	if err := s.Validate([]string{"fade"}, Limits{MaxVideoLength: 15}); err != nil || s.Title != nil {
		t.Errorf("%v, title %v", err, s.Title)
	}
}
