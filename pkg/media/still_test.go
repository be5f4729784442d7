package media

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// The still intake makes beside the thumbnail is a cache entry the render reads as its own:
// it must be the same bytes as render.StillArgs makes from the picture, in every format and
// fit, also when the thumbnail is scaled from the still's fitted picture (the tap) and when a
// JPEG is decoded at a fraction of its size (render.StillLowres), and the thumbnail so made
// must have its size and stand upright.
func TestIntakeStillIsTheRenders(t *testing.T) {
	f := newFixture(t, testLimits)
	src := "testsrc2=s=1280x960"
	cases := []struct {
		file, fit, pixFmt string
		tapped            bool
		lowres            int
	}{
		{"a.jpg", "contain", "", true, 1}, // 1280x960 decoded at 640x480 for 480x360
		{"b.png", "contain", "rgb24", true, 0},
		{"c.png", "cover", "rgba", true, 0},
		{"d.png", "blur", "gray", true, 0},
		{"e.webp", "contain", "", true, 0},
		{"f.gif", "cover", "", true, 0},
		{"g.bmp", "blur", "", true, 0},
		{"h.tiff", "contain", "rgb24", true, 0},
		{"i.jpg", "cover", "", true, 1},        // covering 640x360 keeps 640x480: exactly half
		{"small.png", "contain", "", false, 0}, // fitted to 240 px: smaller than a thumbnail
	}
	for _, c := range cases {
		t.Run(c.file+"-"+c.fit, func(t *testing.T) {
			args := []string{"-f", "lavfi", "-i", src, "-frames:v", "1"}
			if c.pixFmt != "" {
				args = append(args, "-pix_fmt", c.pixFmt)
			}
			out := render.Still{Fit: c.fit, Background: "#102030", FocusX: 0.3, FocusY: 0.5, W: 640, H: 360}
			if strings.HasPrefix(c.file, "small") {
				out.W, out.H = 320, 240
			}
			checkStill(t, f, f.gen(t, c.file, args...), c.file, &out, c.tapped)
			if out.Lowres != c.lowres {
				t.Errorf("decoded at 1/2^%d of the size, want 1/2^%d", out.Lowres, c.lowres)
			}
		})
	}
	for _, c := range []struct {
		half   int // each colour half*1.5half: stored 2half x 1.5half
		lowres int
	}{{640, 0}, {1280, 1}} {
		t.Run(fmt.Sprintf("upright-lowres%d", c.lowres), func(t *testing.T) {
			// Stored sideways, upright red above blue, through the tap; at 2560x1920 (upright
			// 1920x2560) the JPEG is decoded at half size for its 540x720 fit.
			name := fmt.Sprintf("o6-%d.jpg", c.half)
			p := f.gen(t, name, "-f", "lavfi", "-i", fmt.Sprintf(
				"color=red:s=%[1]dx%[2]d,format=rgb24[a];color=blue:s=%[1]dx%[2]d,format=rgb24[b];[a][b]hstack", c.half, c.half*3/2),
				"-frames:v", "1")
			exiftool(t, "-overwrite_original", "-n", "-Orientation=6", p)
			out := render.Still{Fit: "contain", Background: "#000000", W: 1280, H: 720}
			a := checkStill(t, f, p, name, &out, true)
			if out.Lowres != c.lowres {
				t.Errorf("decoded at 1/2^%d of the size, want 1/2^%d", out.Lowres, c.lowres)
			}
			thumb, _ := f.st.Thumbnail(f.pid, a.ID)
			img := decodeJPEG(t, thumb)
			if top, bottom := colourAt(img, 0.5, 0.25), colourAt(img, 0.5, 0.75); top != "red" || bottom != "blue" {
				t.Errorf("thumbnail top/bottom = %s/%s, want red/blue", top, bottom)
			}
		})
	}
	t.Run("tiny output", func(t *testing.T) {
		// A 320x240 still of a 1280x960 JPEG is decoded at a quarter of its size, too small for
		// the 400x300 thumbnail: intake leaves that still to the render and makes the thumbnail
		// alone.
		p := f.gen(t, "tiny.jpg", "-f", "lavfi", "-i", src, "-frames:v", "1")
		raw, _ := os.ReadFile(p)
		stillPath := filepath.Join(f.dir, "tiny.y4m")
		out := render.Still{Fit: "contain", Background: "#000000", W: 320, H: 240}
		a, err := f.in.ImageWithStill(context.Background(), f.pid, "tiny.jpg", bytes.NewReader(raw), func(a *simvid.Asset) (StillGraph, int, string) {
			out.Lowres = render.StillLowres(out, render.Image{Width: a.Width, Height: a.Height, Format: a.Format})
			return func(in, tap string, minSide int) (string, bool) {
				return render.StillFilterTap(out, in, tap, a.Width, a.Height, minSide)
			}, out.Lowres, stillPath
		})
		if err != nil {
			t.Fatal(err)
		}
		if out.Lowres != 2 {
			t.Errorf("still decoded at 1/2^%d, want 1/4", out.Lowres)
		}
		if _, err := os.Stat(stillPath); err == nil {
			t.Error("intake made a still whose decode is smaller than the thumbnail")
		}
		thumb, _ := f.st.Thumbnail(f.pid, a.ID)
		if b := decodeJPEG(t, thumb).Bounds(); b.Dx() != 400 || b.Dy() != 300 {
			t.Errorf("thumbnail %v, want 400x300", b)
		}
	})
}

// checkStill takes in the picture at path asking for the still out of it, planned as
// render.Plan plans it (out.Orientation and out.Lowres are set here), checks the still against
// render.StillArgs's, whether the thumbnail came through the tap, and its size.
func checkStill(t *testing.T, f *fixture, path, name string, out *render.Still, wantTap bool) *simvid.Asset {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	stillPath := filepath.Join(f.dir, name+".y4m")
	var tapped bool
	a, err := f.in.ImageWithStill(context.Background(), f.pid, name, bytes.NewReader(raw), func(a *simvid.Asset) (StillGraph, int, string) {
		out.Orientation = a.Orientation
		out.Lowres = render.StillLowres(*out, render.Image{Width: a.Width, Height: a.Height, Format: a.Format})
		return func(in, tap string, minSide int) (string, bool) {
			g, ok := render.StillFilterTap(*out, in, tap, a.Width, a.Height, minSide)
			tapped = tapped || ok
			return g, ok
		}, out.Lowres, stillPath
	})
	if err != nil {
		t.Fatal(err)
	}
	if tapped != wantTap {
		t.Errorf("thumbnail from the still's fitted picture: %v, want %v", tapped, wantTap)
	}
	got, err := os.ReadFile(stillPath)
	if err != nil {
		t.Fatal(err)
	}
	ref := filepath.Join(f.dir, name+".ref.y4m")
	if err := f.ff.Run(context.Background(), render.StillArgs(*out, path, ref), nil); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(ref)
	if len(want) == 0 || !bytes.Equal(got, want) {
		t.Errorf("intake's still (%d bytes) differs from the render's (%d bytes); headers %q, %q", len(got), len(want),
			strings.SplitN(string(got[:min(len(got), 60)]), "\n", 2)[0], strings.SplitN(string(want[:min(len(want), 60)]), "\n", 2)[0])
	}
	thumb, _ := f.st.Thumbnail(f.pid, a.ID)
	tw, th := thumbSize(a.Width, a.Height)
	if b := decodeJPEG(t, thumb).Bounds(); b.Dx() != tw || b.Dy() != th {
		t.Errorf("thumbnail %v, want %dx%d", b, tw, th)
	}
	return a
}
