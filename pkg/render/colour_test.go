package render

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/simvid"
)

// TestColourKeysNotReused: stills and segments made before BT.709 (BT.601, untagged) have
// other keys: the keys of the same still and hold under the code before (95e93ba) are not
// the keys now.
func TestColourKeysNotReused(t *testing.T) {
	t.Parallel()
	st := Still{SHA256: "abc", Orientation: 1, Fit: "contain", Background: "#000000", W: 640, H: 360}
	if k := stillKey(st, "5.1"); k == "6cd78144f0cb46641e8a20b18aabb0b66f51cb268d26f9611c34f226b44ecedc" {
		t.Errorf("the still's key is the BT.601 one: %s", k)
	}
	p := &Plan{W: 640, H: 360, FPS: 30, Encoder: Encoder{Preset: "veryfast", CRF: 23}}
	sg := Segment{Kind: KindHold, Frames: 30, Stills: []string{"s"}}
	if k := segmentKey(sg, p, "5.1"); k == "cbce7cd78844a69cca84e42e84b58b79464ec7cb5356fcf9c77f6816cbb17640" {
		t.Errorf("the hold's key is the untagged one: %s", k)
	}
}

// TestCaptionDrawnInRGB: a still's caption is drawn in RGB, before the one conversion to
// BT.709 (drawtext would convert its colour with BT.601); a moving slide's, drawn on BT.709
// YUV frames, gets the colour whose BT.601 YUV is the named colour's BT.709 YUV.
func TestCaptionDrawnInRGB(t *testing.T) {
	t.Parallel()
	f := Files{CaptionDir: "/c", Font: "/f.ttf"}
	style := simvid.CaptionStyle{Position: "bottom", Size: 5, Color: "#ff8000", Backdrop: "shadow"}
	st := Still{Format: "png", Fit: "contain", Background: "#000000", W: 640, H: 480, Caption: newCaption("hi", style, 640, 480)}
	a, err := StillArgsWith(st, "/p.png", "/s.y4m", f)
	if err != nil {
		t.Fatal(err)
	}
	g := strings.Join(a, " ")
	rgb, dt, yuv := strings.Index(g, "format=gbrp,pad="), strings.Index(g, "drawtext="), strings.Index(g, "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p[v]")
	if rgb < 0 || dt < rgb || yuv < dt || !strings.Contains(g, "fontcolor=0xff8000") {
		t.Errorf("the caption is not drawn in RGB before the conversion: %s", g)
	}
	colour := func(c *Caption) string {
		s, err := c.filterYUV(f)
		if err != nil {
			t.Fatal(err)
		}
		_, after, _ := strings.Cut(s, "fontcolor=0x")
		return after[:6]
	}
	if got := colour(st.Caption); got == "ff8000" {
		t.Errorf("a moving slide's orange caption is given to drawtext as it is")
	}
	style.Color = "#808080"
	if got := colour(newCaption("hi", style, 640, 480)); got != "808080" {
		t.Errorf("grey became %s", got)
	}
}

// TestBT601For709: drawtext's BT.601 YUV of the colour given for a caption on a moving slide is
// the BT.709 YUV of the colour named, within a level, where BT.601 reaches it.
func TestBT601For709(t *testing.T) {
	t.Parallel()
	yuv := func(hex string, kr, kb float64) [3]float64 {
		v, _ := strconv.ParseUint(hex, 16, 32)
		r, g, b := float64(v>>16&255), float64(v>>8&255), float64(v&255)
		y := kr*r + (1-kr-kb)*g + kb*b
		return [3]float64{y, (b - y) / (2 - 2*kb), (r - y) / (2 - 2*kr)}
	}
	for _, c := range []string{"ffffff", "000000", "808080", "ff8000", "c03030", "3060c0", "20a080"} {
		want, got := yuv(c, 0.2126, 0.0722), yuv(bt601For709(c), 0.299, 0.114)
		for i := range want {
			if math.Abs(want[i]-got[i]) > 1.5 {
				t.Errorf("%s: given as %s, BT.601 YUV %.1f, want BT.709's %.1f", c, bt601For709(c), got, want)
				break
			}
		}
	}
}

// TestClipMatrix: an SDR clip is converted from the matrix its stream names, else from
// BT.709 when it is HD and BT.601 when not, to BT.709 as it is scaled; an HDR one is
// tone-mapped to BT.709. Its frames are fitted in YUV, with the fill colour given as pad
// needs it, unless the fill or the caption is a colour only RGB reaches.
func TestClipMatrix(t *testing.T) {
	t.Parallel()
	fit := Still{Fit: "contain", W: 640, H: 480, Background: "#000000"}
	for _, c := range []struct {
		clip Clip
		want string
	}{
		{Clip{Width: 1920, Height: 1080, CodedW: 1920, CodedH: 1080}, "in_color_matrix=bt709:out_color_matrix=bt709:out_range=tv,format=yuv420p,setsar=1"},
		{Clip{Width: 640, Height: 480, CodedW: 640, CodedH: 480}, "in_color_matrix=bt601:out_color_matrix=bt709:out_range=tv,"},
		{Clip{Width: 640, Height: 480, CodedW: 640, CodedH: 480, Matrix: "bt709"}, "in_color_matrix=bt709:"},
		{Clip{Width: 1920, Height: 1080, CodedW: 1920, CodedH: 1080, Matrix: "smpte170m"}, "in_color_matrix=bt601:"},
		{Clip{Width: 1080, Height: 1920, CodedW: 1920, CodedH: 1080, Rotation: 90}, "in_color_matrix=bt709:out_color_matrix=bt709:out_range=tv,format=yuv420p,setsar=1,transpose=clock"},
		{Clip{Width: 1920, Height: 1080, CodedW: 1920, CodedH: 1080, HDR: "pq"}, "tin=smpte2084:pin=bt2020:min=bt2020nc"},
	} {
		got := clipPrep(ClipSlide{Clip: c.clip}, fit)
		if !strings.Contains(got, c.want) || !strings.Contains(got, "format=yuv420p") {
			t.Errorf("%+v: %s, want %s, in YUV", c.clip, got, c.want)
		}
	}
	src := ClipSlide{Clip: Clip{Width: 1920, Height: 1080, CodedW: 1920, CodedH: 1080}}
	for _, c := range []struct {
		bg, want string
		rgb      bool
	}{
		{"#000000", "color=0x000000,setsar=1,format=yuv420p[v]", false},
		{"#20c020", "color=0x2ddc25,setsar=1,format=yuv420p[v]", false}, // BT.601's YUV of 2ddc25 is BT.709's of 20c020
		{"#00ff00", "format=gbrp,pad=640:480:(ow-iw)/2:(oh-ih)/2:color=0x00ff00,setsar=1,scale=out_color_matrix=bt709", true},
	} {
		fit.Background = c.bg
		g, err := clipGraph(src, fit, "", Files{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(g, c.want) || strings.Contains(g, "in_range=tv,format=gbrp") != c.rgb {
			t.Errorf("fill %s: %s, want %s (in RGB: %v)", c.bg, g, c.want, c.rgb)
		}
	}
}
