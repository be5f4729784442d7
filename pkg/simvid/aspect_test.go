package simvid

import (
	"strings"
	"testing"
)

func TestAspectSizes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		aspect string
		lines  int
		want   string
	}{
		{"16:9", 480, "854x480"}, {"16:9", 720, "1280x720"}, {"16:9", 1080, "1920x1080"},
		{"16:9", 2160, "3840x2160"}, {"9:16", 1080, "1080x1920"}, {"9:16", 1440, "1440x2560"},
		{"1:1", 1080, "1080x1080"}, {"1:1", 480, "480x480"}, {"4:5", 1080, "1080x1350"},
		{"4:5", 480, "480x600"}, {"4:5", 2160, "2160x2700"},
	}
	for _, c := range cases {
		s := Spec{Output: Output{Aspect: c.aspect, Lines: c.lines}, Slides: []Slide{{Asset: NewID(PrefixImage)}}}
		s.Normalize()
		if s.Output.Resolution != c.want {
			t.Errorf("%s at %d lines: %s, want %s", c.aspect, c.lines, s.Output.Resolution, c.want)
		}
		if err := s.Validate([]string{"fade"}, Limits{}); err != nil {
			t.Errorf("%s at %d lines: %v", c.aspect, c.lines, err)
		}
	}
	// Every preset size has even sides, and the origin's twelve sizes still pass.
	for _, r := range append(PresetResolutions(), Resolutions...) {
		w, h, err := ParseResolution(r)
		if err != nil || w%2 != 0 || h%2 != 0 {
			t.Errorf("%s: %d x %d, %v", r, w, h, err)
		}
	}
	s := Spec{Output: Output{Aspect: "16:9"}}
	s.Normalize()
	if s.Output.Resolution != "1920x1080" || s.Output.Lines != 1080 {
		t.Errorf("aspect without lines: %+v", s.Output)
	}
}

func TestOutputErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		out  Output
		want string
	}{
		{Output{Aspect: "3:2"}, "output.aspect must be one of 16:9, 9:16, 1:1, 4:5"},
		{Output{Aspect: "16:9", Lines: 1000}, "output.lines must be one of 480, 720, 1080, 1440, 2160"},
		{Output{Resolution: "1000x1000"}, "output.resolution must be one of"},
		{Output{FPS: 50}, "output.fps must be one of 24, 25, 30, 60 (got 50)"},
		{Output{Quality: "ultra"}, "output.quality must be one of draft, standard, high"},
	}
	for _, c := range cases {
		s := Spec{Output: c.out}
		s.Normalize()
		err := s.Validate([]string{"fade"}, Limits{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.out, err, c.want)
		}
	}
	for _, fps := range FrameRates {
		s := Spec{Output: Output{FPS: fps}}
		s.Normalize()
		if err := s.Validate([]string{"fade"}, Limits{}); err != nil {
			t.Errorf("fps %d: %v", fps, err)
		}
	}
}
