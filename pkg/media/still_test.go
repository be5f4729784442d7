package media

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// The still intake makes beside the thumbnail is a cache entry the render reads as its own:
// it must be the same bytes as render.StillArgs makes from the picture, in every format and
// fit, also when the thumbnail is scaled from the still's fitted picture (the tap), and the
// thumbnail so made must have its size and stand upright.
func TestIntakeStillIsTheRenders(t *testing.T) {
	f := newFixture(t, testLimits)
	src := "testsrc2=s=1280x960"
	cases := []struct {
		file, fit, pixFmt string
		tapped            bool
	}{
		{"a.jpg", "contain", "", true},
		{"b.png", "contain", "rgb24", true},
		{"c.png", "cover", "rgba", true},
		{"d.png", "blur", "gray", true},
		{"e.webp", "contain", "", true},
		{"f.gif", "cover", "", true},
		{"g.bmp", "blur", "", true},
		{"h.tiff", "contain", "rgb24", true},
		{"small.jpg", "contain", "", false}, // fitted to 240 px: smaller than a thumbnail
	}
	for _, c := range cases {
		t.Run(c.file+"-"+c.fit, func(t *testing.T) {
			args := []string{"-f", "lavfi", "-i", src, "-frames:v", "1"}
			if c.pixFmt != "" {
				args = append(args, "-pix_fmt", c.pixFmt)
			}
			out := render.Still{Fit: c.fit, Background: "#102030", FocusX: 0.3, FocusY: 0.5, W: 640, H: 360}
			if c.file == "small.jpg" {
				out.W, out.H = 320, 240
			}
			checkStill(t, f, f.gen(t, c.file, args...), c.file, out, c.tapped)
		})
	}
	t.Run("upright", func(t *testing.T) {
		// 1280x960 stored, 960x1280 upright: red above blue, through the tap.
		p := f.gen(t, "o6.jpg", "-f", "lavfi", "-i", "color=red:s=640x960,format=rgb24[a];color=blue:s=640x960,format=rgb24[b];[a][b]hstack",
			"-frames:v", "1")
		exiftool(t, "-overwrite_original", "-n", "-Orientation=6", p)
		a := checkStill(t, f, p, "o6.jpg", render.Still{Fit: "contain", Background: "#000000", W: 1280, H: 720}, true)
		thumb, _ := f.st.Thumbnail(f.pid, a.ID)
		img := decodeJPEG(t, thumb)
		if top, bottom := colourAt(img, 0.5, 0.25), colourAt(img, 0.5, 0.75); top != "red" || bottom != "blue" {
			t.Errorf("thumbnail top/bottom = %s/%s, want red/blue", top, bottom)
		}
	})
}

// checkStill takes in the picture at path asking for the still out of it, checks the still
// against render.StillArgs's, whether the thumbnail came through the tap, and its size.
func checkStill(t *testing.T, f *fixture, path, name string, out render.Still, wantTap bool) *simvid.Asset {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	stillPath := filepath.Join(f.dir, name+".y4m")
	var tapped bool
	a, err := f.in.ImageWithStill(context.Background(), f.pid, name, bytes.NewReader(raw), func(a *simvid.Asset) (StillGraph, string) {
		out.Orientation = a.Orientation
		return func(in, tap string, minSide int) (string, bool) {
			g, ok := render.StillFilterTap(out, in, tap, a.Width, a.Height, minSide)
			tapped = tapped || ok
			return g, ok
		}, stillPath
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
	if err := f.ff.Run(context.Background(), render.StillArgs(out, path, ref), nil); err != nil {
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
