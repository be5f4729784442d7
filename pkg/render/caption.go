package render

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/simvid/simvid/pkg/simvid"
)

// Caption is a slide's text as drawn: wrapped to the picture's width, written by the engine to
// a file named by its hash. User text reaches ffmpeg only through that file (drawtext's
// textfile, with expansion off so that "%{" is just text); the filter string holds numbers,
// colours checked by the spec and paths made here.
type Caption struct {
	Text     string // wrapped, as written to the file
	SHA      string // hex sha256 of Text: the file's name
	Style    simvid.CaptionStyle
	FontSize int // pixels
	MarginX  int // safe margins, pixels
	MarginY  int
}

// Files are the paths the engine keeps captions under.
type Files struct {
	CaptionDir string // text files, named <sha>.txt
	Font       string // the embedded font, written out
}

// safePathRE is what a path inside a filter string may hold: nothing that filter syntax
// (':', ',', ';', quotes, brackets, backslashes) or drawtext would read as anything else.
var safePathRE = regexp.MustCompile(`^[A-Za-z0-9/_.+-]+$`)

// TextPath is where the engine writes the caption's text.
func (c *Caption) TextPath(dir string) string { return filepath.Join(dir, c.SHA+".txt") }

// newCaption lays out text for a w x h picture: font size from the style, safe margins from
// the shape (a portrait picture keeps more room at the top and bottom, where phone apps put
// their buttons), lines wrapped at spaces to fit between the side margins.
func newCaption(text string, style simvid.CaptionStyle, w, h int) *Caption {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if text == "" {
		return nil
	}
	c := &Caption{Style: style, MarginX: w / 20, MarginY: h * 6 / 100}
	if h > w {
		c.MarginY = h / 10
	}
	c.FontSize = max(8, int(math.Round(style.Size/100*float64(min(w, h)))))
	// DejaVu Sans averages about 0.55 em a character; 0.6 leaves room for wide letters.
	perLine := max(4, int(float64(w-2*c.MarginX)/(0.6*float64(c.FontSize))))
	c.Text = wrap(text, perLine)
	sum := sha256.Sum256([]byte(c.Text))
	c.SHA = hex.EncodeToString(sum[:])
	return c
}

// wrap breaks every line of text at spaces so no line holds more than n characters; a word
// longer than that is cut.
func wrap(text string, n int) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		cur := ""
		for _, word := range strings.Fields(line) {
			for utf8.RuneCountInString(word) > n {
				if cur != "" {
					out, cur = append(out, cur), ""
				}
				r := []rune(word)
				out, word = append(out, string(r[:n])), string(r[n:])
			}
			switch {
			case cur == "":
				cur = word
			case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(word) <= n:
				cur += " " + word
			default:
				out, cur = append(out, cur), word
			}
		}
		out = append(out, cur)
	}
	return strings.Join(out, "\n")
}

// filter is the drawtext chain that draws the caption from its file.
func (c *Caption) filter(f Files) (string, error) {
	if c == nil {
		return "", nil
	}
	text := c.TextPath(f.CaptionDir)
	if !safePathRE.MatchString(text) || !safePathRE.MatchString(f.Font) {
		return "", fmt.Errorf("render: caption paths %q and %q must be plain (letters, digits, / _ . + -)", text, f.Font)
	}
	if !colorRE.MatchString(c.Style.Color) {
		return "", fmt.Errorf("render: caption colour %q", c.Style.Color)
	}
	y := fmt.Sprintf("h-text_h-%d", c.MarginY)
	switch c.Style.Position {
	case "top":
		y = fmt.Sprint(c.MarginY)
	case "center":
		y = "(h-text_h)/2"
	}
	s := fmt.Sprintf("drawtext=fontfile=%s:textfile=%s:expansion=none:fontsize=%d:fontcolor=0x%s:"+
		"line_spacing=%d:x=(w-text_w)/2:y=%s", f.Font, text, c.FontSize, strings.TrimPrefix(c.Style.Color, "#"),
		c.FontSize/4, y)
	switch c.Style.Backdrop {
	case "shadow":
		d := max(1, c.FontSize/16)
		s += fmt.Sprintf(":shadowx=%d:shadowy=%d:shadowcolor=black@0.7", d, d)
	case "box":
		s += fmt.Sprintf(":box=1:boxcolor=black@0.55:boxborderw=%d", max(2, c.FontSize/3))
	}
	return s, nil
}

func (c *Caption) key() string {
	if c == nil {
		return "-"
	}
	return fmt.Sprintf("%s %+v %d %d %d", c.SHA, c.Style, c.FontSize, c.MarginX, c.MarginY)
}

func captionsKey(cs []*Caption) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.key()
	}
	return strings.Join(parts, "|")
}
