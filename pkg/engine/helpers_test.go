package engine

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// kit holds what an engine test needs: the engine, a work directory and the tools.
type kit struct {
	t   *testing.T
	dir string
	ff  *ffmpeg.Runner
	eng *Engine
}

func newKit(t *testing.T) *kit {
	t.Helper()
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIPPING: %s is not installed; the engine tests need real ffmpeg", tool)
		}
	}
	dir := t.TempDir()
	log := zaptest.NewLogger(t)
	ff := ffmpeg.New("", "", log)
	return &kit{t: t, dir: dir, ff: ff, eng: New(ff, filepath.Join(dir, "cache"), filepath.Join(dir, "tmp"), log)}
}

// ffmpeg runs ffmpeg and returns its stderr; a failure ends the test.
func (k *kit) ffmpeg(args ...string) string {
	k.t.Helper()
	cmd := exec.Command("ffmpeg", append([]string{"-hide_banner", "-nostdin", "-y"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		k.t.Fatalf("ffmpeg %q: %v\n%s", args, err, stderr.String())
	}
	return stderr.String()
}

// picture writes a one-frame picture made by a lavfi graph (e.g. "color=c=red:s=320x240").
func (k *kit) picture(name, graph string) string {
	p := filepath.Join(k.dir, name)
	k.ffmpeg("-v", "error", "-f", "lavfi", "-i", graph, "-frames:v", "1", "-update", "1", p)
	return p
}

// music writes a 48 kHz stereo FLAC tone, like the working copies intake makes.
func (k *kit) music(name string, seconds float64) string {
	p := filepath.Join(k.dir, name)
	k.ffmpeg("-v", "error", "-f", "lavfi", "-i", "sine=f=440:r=48000:d="+strconv.FormatFloat(seconds, 'f', -1, 64),
		"-ac", "2", "-sample_fmt", "s16", "-c:a", "flac", p)
	return p
}

// slideshow gathers pictures and music into a spec and the engine job around its plan.
type slideshow struct {
	in   render.Input
	job  Job
	kit  *kit
	name string
}

func (k *kit) show(resolution, quality string) *slideshow {
	s := &slideshow{kit: k, name: "out", in: render.Input{Images: map[string]render.Image{},
		Audio: map[string]render.Audio{}, FFmpegVersion: "test"}}
	s.in.Spec.Output = simvid.Output{Resolution: resolution, FPS: 30, Quality: quality}
	s.job = Job{ImagePaths: map[string]string{}, AudioPaths: map[string]string{}, Parallel: 2}
	return s
}

// slide adds a picture file as a slide lasting d seconds (fit "" = default).
func (s *slideshow) slide(path string, d float64, fit string, orientation int) string {
	id := simvid.NewID(simvid.PrefixImage)
	sum := strconv.Itoa(len(s.in.Images)) + filepath.Base(path) // content stand-in: one per file
	s.in.Images[id] = render.Image{SHA256: sum, Orientation: orientation}
	s.job.ImagePaths[id] = path
	s.in.Spec.Slides = append(s.in.Spec.Slides, simvid.Slide{Asset: id, Duration: d, Fit: fit})
	return id
}

func (s *slideshow) withMusic(path string, seconds float64, fit string, fadeOut *float64) {
	id := simvid.NewID(simvid.PrefixAudio)
	s.in.Audio[id] = render.Audio{SHA256: filepath.Base(path), Duration: seconds}
	s.job.AudioPaths[id] = path
	s.in.Spec.Audio = []simvid.AudioClip{{Asset: id}}
	s.in.Spec.Music = simvid.MusicSpec{Fit: fit, FadeOut: fadeOut}
}

// plan normalizes and plans the spec and sets the job's plan and outputs.
func (s *slideshow) plan() *render.Plan {
	s.kit.t.Helper()
	s.in.Spec.Normalize()
	p, err := render.NewPlan(s.in)
	if err != nil {
		s.kit.t.Fatal(err)
	}
	s.job.Plan = p
	s.job.Output = filepath.Join(s.kit.dir, "renders", s.name+".mp4")
	s.job.Poster = filepath.Join(s.kit.dir, "renders", s.name+".jpg")
	return p
}

// progressLog records every progress report.
type progressLog struct {
	mu  sync.Mutex
	all []Progress
	at  []time.Time
}

func (l *progressLog) add(p Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all, l.at = append(l.all, p), append(l.at, time.Now())
}

// run runs the job and fails the test on an error.
func (s *slideshow) run(ctx context.Context) (*Result, *progressLog) {
	s.kit.t.Helper()
	var l progressLog
	res, err := s.kit.eng.Run(ctx, s.job, l.add)
	if err != nil {
		s.kit.t.Fatalf("run: %v", err)
	}
	return res, &l
}

// rgb returns the colour of the pixel at x,y of frame n of a video (or a picture).
func (k *kit) rgb(path string, n int64, x, y int) [3]int {
	k.t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-vf",
		"select=eq(n\\,"+strconv.FormatInt(n, 10)+"),crop=2:2:"+strconv.Itoa(x&^1)+":"+strconv.Itoa(y&^1)+",format=rgb24",
		"-frames:v", "1", "-f", "rawvideo", "-").Output()
	if err != nil || len(out) < 3 {
		k.t.Fatalf("sampling %s frame %d: %v (%d bytes)", path, n, err, len(out))
	}
	return [3]int{int(out[0]), int(out[1]), int(out[2])}
}

// near reports whether two colours are within tol on every channel.
func near(a, b [3]int, tol int) bool {
	for i := range a {
		if d := a[i] - b[i]; d > tol || d < -tol {
			return false
		}
	}
	return true
}

var meanVolRE = regexp.MustCompile(`mean_volume: (-?[0-9.inf]+) dB`)

// meanVolume returns the mean volume in dB of a file's audio between from and to seconds.
func (k *kit) meanVolume(path string, from, to float64) float64 {
	k.t.Helper()
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
	out := k.ffmpeg("-i", path, "-vn", "-af", "atrim="+f(from)+":"+f(to)+",volumedetect", "-f", "null", "-")
	m := meanVolRE.FindStringSubmatch(out)
	if m == nil {
		k.t.Fatalf("no volume in:\n%s", out)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return -200 // -inf: silence
	}
	return v
}

// decodeErrors decodes the whole file and returns what ffmpeg complains about.
func (k *kit) decodeErrors(path string) string {
	out, _ := exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "null", "-").CombinedOutput()
	return strings.TrimSpace(string(out))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
