package media

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// TestPictureDecodesOnOneThread: every decode of a picture at intake (thumbnail and still
// together, the thumbnail alone, the still alone) runs its decoder and its filter graph on one
// thread (ffargs.PictureInput, ffargs.PictureGraph): their threads cost CPU and bought no time.
// The still is the same bytes as one made with ffmpeg's default threads, in the formats whose
// decoders thread by frames (PNG, WebP).
func TestPictureDecodesOnOneThread(t *testing.T) {
	f := newFixture(t, testLimits)
	core, logs := observer.New(zap.DebugLevel)
	f.in = NewIntake(ffmpeg.New("", "", zap.New(core)), f.st, testLimits, zap.NewNop())
	for _, name := range []string{"a.png", "b.webp"} {
		t.Run(name, func(t *testing.T) {
			p := f.gen(t, name, "-f", "lavfi", "-i", "testsrc2=s=640x480", "-frames:v", "1")
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out := render.Still{Fit: "contain", Background: "#000000", W: 640, H: 360}
			still := func(dir string) StillFunc {
				return func(a *simvid.Asset) (StillGraph, int, string) {
					out.Format = a.Format
					out.Lowres = render.StillLowres(out, render.Image{Width: a.Width, Height: a.Height, Format: a.Format})
					return func(in, tap string, minSide int) (string, bool) {
						return render.StillFilterTap(out, in, tap, a.Width, a.Height, minSide)
					}, out.Lowres, filepath.Join(dir, "s.y4m")
				}
			}
			logs.TakeAll()
			ctx := context.Background()
			up, run := t.TempDir(), t.TempDir()
			if _, err := f.in.ImageWithStill(ctx, f.pid, name, bytes.NewReader(raw), still(up)); err != nil {
				t.Fatal(err)
			}
			if _, err := f.in.Image(ctx, f.pid, name, bytes.NewReader(raw)); err != nil {
				t.Fatal(err)
			}
			if _, err := f.in.ImageForRender(ctx, f.pid, name, bytes.NewReader(raw), still(run)); err != nil {
				t.Fatal(err)
			}
			kinds := map[string]bool{}
			for _, e := range logs.FilterMessage("ffmpeg").All() {
				kind, _ := e.ContextMap()["kind"].(string)
				args := argsOf(e)
				kinds[kind] = true
				in := slices.Index(args, "-i")
				if thr := slices.Index(args, "-threads"); thr < 0 || thr > in || args[thr+1] != "1" {
					t.Errorf("%s: the decoder is not told one thread: %q", kind, args)
				}
				graph := strings.Join(args, " ")
				if !strings.Contains(graph, "-filter_complex_threads 1 -filter_complex ") && !strings.Contains(graph, "-filter_threads 1 -vf ") {
					t.Errorf("%s: the filter graph is not told one thread: %q", kind, args)
				}
			}
			for _, k := range []string{string(ffmpeg.KindThumbStill), string(ffmpeg.KindThumbnail), string(ffmpeg.KindStill)} {
				if !kinds[k] {
					t.Errorf("no %s run among %v", k, kinds)
				}
			}
			// The same bytes as ffmpeg's default threads give: the render's still args without
			// the thread options.
			var old []string
			for _, a := range render.StillArgs(out, p, filepath.Join(run, "old.y4m")) {
				if len(old) > 0 && (old[len(old)-1] == "-threads" || old[len(old)-1] == "-filter_complex_threads") {
					old = old[:len(old)-1]
					continue
				}
				old = append(old, a)
			}
			if err := f.ff.Run(ctx, old, nil); err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(filepath.Join(run, "old.y4m"))
			for _, dir := range []string{up, run} {
				if got, _ := os.ReadFile(filepath.Join(dir, "s.y4m")); len(want) == 0 || !bytes.Equal(got, want) {
					t.Errorf("the still made on one thread (%d bytes) differs from the default threads' (%d bytes)", len(got), len(want))
				}
			}
		})
	}
}

// argsOf is the args field of a Runner's debug line.
func argsOf(e observer.LoggedEntry) []string {
	var a []string
	l, _ := e.ContextMap()["args"].([]any)
	for _, v := range l {
		s, _ := v.(string)
		a = append(a, s)
	}
	return a
}
