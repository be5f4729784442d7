package render

import (
	"fmt"
	"strings"
	"testing"
)

// FirstFrameUnits puts each fade first with the holds that take their first frame from it,
// with the encoders whose first picture is the same to the bit either way (the still-picture
// tuning), and every segment alone with the others.
func TestFirstFrameUnits(t *testing.T) {
	t.Parallel()
	name := func(sg Segment) string {
		if sg.Kind == KindTransition {
			return fmt.Sprintf("F%d%d", sg.Slides[0], sg.Slides[1])
		}
		return fmt.Sprintf("H%d", sg.Slides[0])
	}
	units := func(us [][]Segment) string {
		var out []string
		for _, u := range us {
			var names []string
			for _, sg := range u {
				names = append(names, name(sg))
			}
			out = append(out, strings.Join(names, "+"))
		}
		return strings.Join(out, " ")
	}
	same := input(repeat(3, 4), "fade", 0.5)
	for id := range same.Images { // one picture on every slide: one fade key, one middle hold key
		same.Images[id] = Image{SHA256: "one", Width: 320, Height: 240, Orientation: 1}
	}
	cases := []struct {
		name, quality string
		lossless      bool
		in            Input
		reorder       func([]Segment) []Segment
		want          string
	}{
		{"standard", "standard", false, input(repeat(3, 4), "fade", 0.5), nil, "F01+H0 F12+H1 F23+H2 H3"},
		{"standard, a hold after its fade", "standard", false, input(repeat(3, 3), "fade", 0.5),
			func(s []Segment) []Segment { return []Segment{s[1], s[0], s[4], s[2], s[3]} }, "F01+H0 H2 F12+H1"},
		{"standard, a group without the fade", "standard", false, input(repeat(3, 3), "fade", 0.5),
			func(s []Segment) []Segment { return []Segment{s[2]} }, "H1"},
		{"standard, one picture on every slide", "standard", false, same, nil, "F01+H0+H1+H3"}, // the last hold too
		{"standard, cuts", "standard", false, input(repeat(3, 3), "none", 0), nil, "H0 H1 H2"},
		{"standard, long fades (encoded)", "standard", false, input(repeat(3, 3), "fade", 1), nil, "H0 F01 H1 F12 H2"},
		{"high: no still-picture tuning", "high", false, input(repeat(3, 3), "fade", 0.5), nil, "H0 F01 H1 F12 H2"},
		{"draft: no dissolved fades", "draft", false, input(repeat(3, 3), "fade", 0.5), nil, "H0 F01 H1 F12 H2"},
		{"lossless", "standard", true, input(repeat(3, 3), "fade", 0.5), nil, "H0 F01 H1 F12 H2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := c.in
			in.Spec.Output.Quality, in.Lossless = c.quality, c.lossless
			p, err := NewPlan(in)
			if err != nil {
				t.Fatal(err)
			}
			uniq, _ := p.uniqueSegments(nil)
			if c.reorder != nil {
				uniq = c.reorder(uniq)
			}
			got := FirstFrameUnits(uniq, p.Encoder)
			if s := units(got); s != c.want {
				t.Errorf("units %s, want %s", s, c.want)
			}
			n := 0
			for _, u := range got {
				n += len(u)
			}
			if n != len(uniq) {
				t.Errorf("units hold %d segments, want %d", n, len(uniq))
			}
		})
	}
}
