package render

import (
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
)

// The filter string holds paths made from hashes and numbers, never the user's text, and
// refuses a directory whose name filter syntax would read.
func TestCaptionFilterHoldsNoUserText(t *testing.T) {
	t.Parallel()
	style := simvid.CaptionStyle{Position: "bottom", Size: 5, Color: "#ffffff", Backdrop: "box"}
	text := "a:b,c;[d]'e'\\f %{pts} 100%\nsecond line that is long enough to be wrapped somewhere along the way"
	c := newCaption(text, style, 640, 480)
	f, err := c.filter(Files{CaptionDir: "/cache/captions", Font: "/cache/fonts/DejaVuSans.ttf"})
	if err != nil {
		t.Fatal(err)
	}
	for _, bit := range []string{"a:b", "%{pts}", "100%", "second", "'e'"} {
		if strings.Contains(f, bit) {
			t.Errorf("filter holds user text %q: %s", bit, f)
		}
	}
	if n := strings.Count(f, "drawtext="); n != len(c.Lines) || n < 3 {
		t.Errorf("%d drawtexts for lines %q", n, c.Lines)
	}
	for _, l := range c.Lines {
		if len([]rune(l)) > 40 {
			t.Errorf("line %q is wider than the picture", l)
		}
	}
	if c.Y[len(c.Y)-1] >= 480-c.MarginY || c.Y[0] <= 0 {
		t.Errorf("lines at %v leave the safe area", c.Y)
	}
	if _, err := c.filter(Files{CaptionDir: "/tmp/a:b", Font: "/f.ttf"}); err == nil {
		t.Error("a directory with a colon was accepted")
	}
	// Portrait shapes keep a wider margin; a blank caption draws nothing.
	if p := newCaption("x", style, 480, 854); p.MarginY != 85 {
		t.Errorf("portrait margin %d", p.MarginY)
	}
	if newCaption(" \n ", style, 640, 480) != nil {
		t.Error("a blank caption was laid out")
	}
}
