//go:build bench

package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/ffmpeg"
)

// runReference runs scripts/reference.sh, sampling the memory of its process tree (bash and
// the ffmpeg it starts). It returns the measure and the script's own timing line.
func runReference(ctx context.Context, t *testing.T, root, corpus, out string) (Measure, string) {
	t.Helper()
	m, _, own := runReferenceUsage(ctx, t, root, corpus, out)
	return m, own
}

// runReferenceUsage is runReference that also returns the reference's wall and CPU seconds:
// bash's rusage, which holds that of the ffmpeg it waited for.
func runReferenceUsage(ctx context.Context, t *testing.T, root, corpus, out string) (Measure, Reference, string) {
	t.Helper()
	var buf bytes.Buffer
	script := filepath.Join(root, "scripts", "reference.sh")
	args := []string{script, corpus, out, fmt.Sprint(benchWidth), fmt.Sprint(benchHeight),
		fmt.Sprint(benchSeconds), fmt.Sprint(benchFade)}
	p, sec, peak := runSampled(ctx, t, "scripts/reference.sh", "bash", args, &buf)
	lines := strings.Fields(buf.String())
	own := "?"
	if len(lines) > 0 {
		own = lines[len(lines)-1]
	}
	st := p.Cmd.ProcessState
	return Measure{"reference (ffmpeg)", sec, peak}, Reference{Wall: sec, CPU: (st.UserTime() + st.SystemTime()).Seconds()}, own
}

// runSampled runs name with args to its end (or ctx's), its output into out, sampling the
// memory of its process tree; it fails the test (what, and the output) when the run does.
// It returns the finished process (its rusage: CPU), the wall seconds and the peak RSS.
func runSampled(ctx context.Context, t *testing.T, what, name string, args []string, out *bytes.Buffer) (*Process, float64, int64) {
	t.Helper()
	start := time.Now()
	p, err := StartProcess(name, args, nil, out)
	if err != nil {
		t.Fatal(err)
	}
	s := NewPeakSampler(p.Pid(), sampleEvery)
	select {
	case <-p.Done():
	case <-ctx.Done():
		_ = p.Stop(5 * time.Second)
	}
	sec := time.Since(start).Seconds()
	peak := s.Stop()
	if err := p.Err(); err != nil || ctx.Err() != nil {
		t.Fatalf("%s: %v %v\n%s", what, err, ctx.Err(), out.String())
	}
	return p, sec, peak
}

// coldRun creates the project, uploads the pictures as the page does (UploadAsPage) and
// the music, waits for the music, renders and downloads. It returns a short account of where the time went and the
// seconds of the render alone (start to downloaded file).
func coldRun(ctx context.Context, c *Client, pics []string, music, dst string) (projectID, renderID, phases string, renderSec float64, err error) {
	return coldRunMarked(ctx, c, pics, music, dst, nil)
}

// coldRunMarked is coldRun that calls mark (when not nil) as each phase ends: "upload+intake"
// (the project made, the pictures uploaded, the music ready), "render" (the render done),
// "download".
func coldRunMarked(ctx context.Context, c *Client, pics []string, music, dst string, mark func(phase string)) (projectID, renderID, phases string, renderSec float64, err error) {
	if mark == nil {
		mark = func(string) {}
	}
	start := time.Now()
	p, err := c.CreateProject(ctx)
	if err != nil {
		return "", "", "", 0, err
	}
	if _, err := c.PatchSettings(ctx, p.ID, benchSettings); err != nil {
		return p.ID, "", "", 0, err
	}
	// As the page uploads: one file a request, three in flight, then the order put back.
	if _, err := c.UploadAsPage(ctx, p.ID, pics, PageParallel); err != nil {
		return p.ID, "", "", 0, err
	}
	images := time.Since(start)
	if _, err := c.UploadMusic(ctx, p.ID, music); err != nil {
		return p.ID, "", "", 0, err
	}
	got, err := c.WaitMusic(ctx, p.ID, pollEvery)
	if err != nil {
		return p.ID, "", "", 0, err
	}
	for i, s := range got.Slides {
		if i >= len(pics) || s.Filename != filepath.Base(pics[i]) {
			return p.ID, "", "", 0, fmt.Errorf("slide %d is %q, want %q (upload order lost)", i+1, s.Filename, filepath.Base(pics[min(i, len(pics)-1)]))
		}
	}
	if len(got.Slides) != len(pics) {
		return p.ID, "", "", 0, fmt.Errorf("project has %d slides, want %d", len(got.Slides), len(pics))
	}
	intake := time.Since(start)
	mark("upload+intake")
	renderID, err = renderAndDownloadMarked(ctx, c, p.ID, dst, mark)
	renderSec = (time.Since(start) - intake).Seconds()
	phases = fmt.Sprintf("pictures uploaded %.2f s, music ready %.2f s, rendered and downloaded %.2f s",
		images.Seconds(), intake.Seconds(), renderSec)
	return p.ID, renderID, phases, renderSec, err
}

// renderAndDownload starts a render of the project, waits for it and saves the video.
func renderAndDownload(ctx context.Context, c *Client, projectID, dst string) (string, error) {
	return renderAndDownloadMarked(ctx, c, projectID, dst, func(string) {})
}

// renderAndDownloadMarked is renderAndDownload that calls mark("render") once the render is
// done and mark("download") once the video is saved.
func renderAndDownloadMarked(ctx context.Context, c *Client, projectID, dst string, mark func(string)) (string, error) {
	r, err := c.StartRender(ctx, projectID)
	if err != nil {
		return "", err
	}
	id := r.ID
	if _, err := c.FollowRender(ctx, id, pollEvery); err != nil {
		return id, err
	}
	mark("render")
	if _, err = c.Download(ctx, id, dst); err == nil {
		mark("download")
	}
	return id, err
}

// videoFacts is what the benchmark checks of a video.
type videoFacts struct {
	Frames        int64
	Width, Height int
	PixFmt        string
	Audio         bool
}

func (v videoFacts) String() string {
	return fmt.Sprintf("%d frames %dx%d %s audio=%v", v.Frames, v.Width, v.Height, v.PixFmt, v.Audio)
}

func probeVideo(ctx context.Context, t *testing.T, path string) videoFacts {
	t.Helper()
	p, err := ffmpeg.New("", "", zaptest.NewLogger(t)).ProbeFile(ctx, path, 5*time.Minute, true)
	if err != nil {
		t.Fatalf("probe %s: %v", path, err)
	}
	v := p.Video()
	if v == nil {
		t.Fatalf("%s has no video stream", path)
	}
	return videoFacts{Frames: v.Frames(), Width: v.Width, Height: v.Height, PixFmt: v.PixFmt, Audio: p.Audio() != nil}
}

func checkVideo(t *testing.T, renderID string, v videoFacts) {
	t.Helper()
	want := videoFacts{Frames: benchFrames, Width: benchWidth, Height: benchHeight, PixFmt: "yuv420p", Audio: true}
	if v != want {
		t.Errorf("render %s: video is %s, want %s", renderID, v, want)
	}
}

// tail returns the end of a log file for a failure message.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return "simvid log (end):\n" + string(b)
}
