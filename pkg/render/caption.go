package render

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/simvid/simvid/pkg/simvid"
)

// Caption is a slide's text as drawn: wrapped to the picture's width, written by the engine to
// a file named by its hash. User text reaches ffmpeg only through that file (drawtext's
// textfile, with expansion off so that "%{" is just text); the filter string holds numbers,
// colours checked by the spec and paths made here.
type Caption struct {
	Text     string   // wrapped, the lines joined by newlines
	SHA      string   // hex sha256 of Text
	Lines    []string // drawn one by one, each centred (drawtext 5.1 aligns lines left)
	LineSHA  []string // hex sha256 of each line: its file's name
	Y        []int    // each line's top, pixels
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

// LinePath is where the engine writes line i of the caption.
func (c *Caption) LinePath(dir string, i int) string { return filepath.Join(dir, c.LineSHA[i]+".txt") }

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
	c.SHA = sha(c.Text)
	c.Lines = strings.Split(c.Text, "\n")
	lineH := int(math.Round(float64(c.FontSize) * 1.3))
	block := len(c.Lines) * lineH
	y := h - c.MarginY - block
	switch style.Position {
	case "top":
		y = c.MarginY
	case "center":
		y = (h - block) / 2
	}
	for i, l := range c.Lines {
		c.LineSHA = append(c.LineSHA, sha(l))
		c.Y = append(c.Y, y+i*lineH)
	}
	return c
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
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

// filter is the drawtext chain that draws the caption, a line from each file, on RGB frames.
func (c *Caption) filter(f Files) (string, error) { return c.drawtext(f, false) }

// filterYUV is filter for frames in the video's YUV (BT.709): a moving slide's, drawn in
// YUV, where converting each frame to RGB and back would cost more than its resample.
func (c *Caption) filterYUV(f Files) (string, error) { return c.drawtext(f, true) }

func (c *Caption) drawtext(f Files, yuv bool) (string, error) {
	if c == nil {
		return "", nil
	}
	if !safePathRE.MatchString(f.CaptionDir) || !safePathRE.MatchString(f.Font) {
		return "", fmt.Errorf("render: caption paths %q and %q must be plain (letters, digits, / _ . + -)", f.CaptionDir, f.Font)
	}
	if !colorRE.MatchString(c.Style.Color) {
		return "", fmt.Errorf("render: caption colour %q", c.Style.Color)
	}
	colour := strings.TrimPrefix(c.Style.Color, "#")
	if yuv {
		colour = bt601For709(colour)
	}
	look := "" // black: the same in BT.601 and BT.709
	switch c.Style.Backdrop {
	case "shadow":
		d := max(1, c.FontSize/16)
		look = fmt.Sprintf(":shadowx=%d:shadowy=%d:shadowcolor=black@0.7", d, d)
	case "box":
		look = fmt.Sprintf(":box=1:boxcolor=black@0.55:boxborderw=%d", max(2, c.FontSize/5))
	}
	var parts []string
	for i, l := range c.Lines {
		if strings.TrimSpace(l) == "" {
			continue // an empty line keeps its place, with nothing to draw
		}
		parts = append(parts, fmt.Sprintf("drawtext=fontfile=%s:textfile=%s:expansion=none:fontsize=%d:fontcolor=0x%s:"+
			"x=(w-text_w)/2:y=%d%s", f.Font, c.LinePath(f.CaptionDir, i), c.FontSize,
			colour, c.Y[i], look))
	}
	return strings.Join(parts, ","), nil
}

// bt601For709 is the colour (RRGGBB, as colorRE checks it) drawtext must be given to draw
// rgb on BT.709 frames: ffmpeg 5.1's drawtext converts its colour to YUV with BT.601 whatever
// the frame, so it gets the RGB whose BT.601 YUV is rgb's BT.709 YUV. Greys are their own;
// a colour BT.601 cannot reach (the most saturated reds and blues) is clipped to the nearest.
func bt601For709(rgb string) string {
	s, _ := bt601For709Exact(rgb)
	return s
}

// exact601For709 reports whether bt601For709 gets colour ("#rrggbb") to within a level.
func exact601For709(colour string) bool {
	_, ok := bt601For709Exact(strings.TrimPrefix(colour, "#"))
	return ok
}

func bt601For709Exact(rgb string) (string, bool) {
	v, err := strconv.ParseUint(rgb, 16, 32)
	if err != nil || len(rgb) != 6 {
		return rgb, false
	}
	r, g, b := float64(v>>16&255)/255, float64(v>>8&255)/255, float64(v&255)/255
	y := 0.2126*r + 0.7152*g + 0.0722*b
	cb, cr := (b-y)/1.8556, (r-y)/1.5748
	out := [3]float64{y + 1.402*cr, y - 0.344136*cb - 0.714136*cr, y + 1.772*cb}
	var n uint32
	exact := true
	for _, c := range out {
		if c < -0.5/255 || c > 1+0.5/255 {
			exact = false
		}
		n = n<<8 | uint32(math.Round(255*min(1, max(0, c))))
	}
	return fmt.Sprintf("%06x", n), exact
}

func (c *Caption) key() string {
	if c == nil {
		return "-"
	}
	return fmt.Sprintf("%s %+v %d %d %d %v", c.SHA, c.Style, c.FontSize, c.MarginX, c.MarginY, c.Y)
}

func captionsKey(cs []*Caption) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.key()
	}
	return strings.Join(parts, "|")
}
