package simvid

import (
	"math"
	"strings"
	"testing"
)

// A slide's clip fields are checked on their own by Validate, naming the field, and against
// the clip by CheckClipSlide; a picture takes none of them.
func TestClipSlideChecks(t *testing.T) {
	clip := &Asset{ID: NewID(PrefixImage), Kind: KindClip, Duration: 10}
	pic := &Asset{ID: NewID(PrefixImage), Kind: KindImage}
	cases := []struct {
		name  string
		slide Slide
		a     *Asset
		want  string // "" = accepted
	}{
		{"whole clip", Slide{}, clip, ""},
		{"trimmed, fast", Slide{In: 2, Out: 7.5, Speed: 2, Mute: true}, clip, ""},
		{"out at the end", Slide{Out: 10.02}, clip, ""},
		{"slow", Slide{Speed: 0.5}, clip, ""},
		{"negative in", Slide{In: -1}, clip, "slides[1].in must be a number of seconds, 0 or more"},
		{"NaN out", Slide{Out: math.NaN()}, clip, "slides[1].out must be a number"},
		{"out before in", Slide{In: 5, Out: 4}, clip, "slides[1].out must be after slides[1].in"},
		{"out equals in", Slide{In: 5, Out: 5}, clip, "slides[1].out must be after"},
		{"too slow", Slide{Speed: 0.25}, clip, "slides[1].speed must be between 0.5 and 2 (got 0.25)"},
		{"too fast", Slide{Speed: 4}, clip, "slides[1].speed must be between 0.5 and 2"},
		{"in past the end", Slide{In: 10}, clip, "slides[1].in must be before the end of the clip (10.00 s; got 10)"},
		{"out past the end", Slide{In: 1, Out: 12}, clip, "slides[1].out must be within the clip (10.00 s; got 12)"},
		{"picture", Slide{}, pic, ""},
		{"picture with a trim", Slide{Out: 3}, pic, "apply to video clips only"},
		{"muted picture", Slide{Mute: true}, pic, "apply to video clips only"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Spec{Slides: []Slide{{Asset: NewID(PrefixImage)}, c.slide}}
			s.Slides[1].Asset = c.a.ID
			s.Normalize()
			err := s.Validate([]string{"fade"}, Limits{})
			if err == nil {
				err = CheckClipSlide("slides[1]", &s.Slides[1], c.a)
			}
			switch {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want != "" && (err == nil || !IsCode(err, EUnprocessable) || !strings.Contains(ErrorMessage(err), c.want)):
				t.Errorf("err = %v, want 422 with %q", err, c.want)
			}
		})
	}
}
