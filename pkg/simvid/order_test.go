package simvid

import (
	"strings"
	"testing"
)

func TestOrderValidation(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		order, chapters, want string
	}{
		{"random", "", `order must be upload, name or taken (got "random")`},
		{"Taken", "", `order must be upload, name or taken (got "Taken")`},
		{"taken", "week", `chapters must be "day" or empty (got "week")`},
		{"", "", ""}, {"upload", "", ""}, {"name", "", ""}, {"taken", "day", ""}, {"", "day", ""},
	} {
		s := Spec{Slides: []Slide{{Asset: NewID(PrefixImage)}}, Order: c.order, Chapters: c.chapters}
		s.Normalize()
		err := s.Validate([]string{"fade"}, Limits{})
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("order %q chapters %q: %v, want %q", c.order, c.chapters, err, c.want)
		}
		if c.want != "" && ErrorCode(err) != EUnprocessable {
			t.Errorf("order %q chapters %q: code %q, want %q", c.order, c.chapters, ErrorCode(err), EUnprocessable)
		}
	}
}
