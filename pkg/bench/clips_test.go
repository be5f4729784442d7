//go:build bench

package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/engine"
	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

// The clips show: the reference's twelve pictures (3 s each, 0.5 s fades, music) with three
// generated clips among them (scripts/reference-clips.sh's order and trims).
var benchClips = []struct {
	name    string
	in, out float64
	make    []string // ffmpeg arguments after the inputs' -y, before the output
}{
	{"a-1080p-h264-sound.mp4", 1, 5, []string{"-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=30:d=6", "-f", "lavfi", "-i", "sine=f=660:r=48000:d=6",
		"-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-ac", "2", "-shortest"}},
	// Rotated as a phone writes portrait video: its display matrix says -90, ffmpeg turns it
	// 90° clockwise. ffmpeg 5.1 writes that matrix from rotate=270 on a stream copy only, so
	// the clip is encoded, then copied with it.
	{"b-4k-hevc10-hlg-rot.mp4", 0, 3, []string{"-f", "lavfi", "-i", "testsrc2=s=3840x2160:r=30:d=3.5", "-c:v", "libx265",
		"-preset", "ultrafast", "-x265-params", "log-level=error", "-pix_fmt", "yuv420p10le", "-color_trc", "arib-std-b67",
		"-color_primaries", "bt2020", "-colorspace", "bt2020nc", "-tag:v", "hvc1"}},
	// Variable frame rate: 60 fps with two frames of every five dropped.
	{"c-720p-vfr.mp4", 0.5, 4.5, []string{"-f", "lavfi", "-i", "testsrc2=s=1280x720:r=60:d=5", "-vf", "select=lt(mod(n\\,5)\\,3)",
		"-vsync", "vfr", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"}},
}

// clipSlideAfter is where each clip goes: after pictures 4, 8 and 12.
var clipSlideAfter = []int{4, 8, 12}

const clipsFrames = 12*90 + 120 + 90 + 120

// TestBenchClips renders the clips show cold with simvid's engine in this process (two
// ffmpeg at a time, as `simvid render` on two cores) and with the hand-written ffmpeg
// command, then again after one picture changed; it prints the times and peak memory (of
// each process tree: this test process and its ffmpeg children, the script and its ffmpeg).
func TestBenchClips(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	root, corpus, _, pics, music := setup(ctx, t)
	work := t.TempDir()
	clipDir := filepath.Join(corpus, "clips")
	if err := os.MkdirAll(clipDir, 0o755); err != nil {
		t.Fatal(err)
	}
	var clips []string
	for _, c := range benchClips {
		p := filepath.Join(clipDir, c.name)
		if _, err := os.Stat(p); err != nil {
			start := time.Now()
			args := append([]string{"-v", "error", "-y"}, c.make...)
			if out, err := exec.CommandContext(ctx, "ffmpeg", append(args, p+".tmp.mp4")...).CombinedOutput(); err != nil {
				t.Fatalf("making %s: %v\n%s", c.name, err, out)
			}
			if strings.Contains(c.name, "-rot") {
				if out, err := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-y", "-i", p+".tmp.mp4", "-c", "copy",
					"-metadata:s:v:0", "rotate=270", p+".rot.mp4").CombinedOutput(); err != nil {
					t.Fatalf("turning %s: %v\n%s", c.name, err, out)
				}
				if err := os.Rename(p+".rot.mp4", p+".tmp.mp4"); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Rename(p+".tmp.mp4", p); err != nil {
				t.Fatal(err)
			}
			t.Logf("made %s in %.1f s", c.name, time.Since(start).Seconds())
		}
		clips = append(clips, p)
	}

	// The reference (SIMVID_BENCH_REF=0 leaves it out: a quicker run while working on simvid).
	var buf bytes.Buffer
	refOut := filepath.Join(work, "reference-clips.mp4")
	ref := Measure{Name: "reference (left out)"}
	if os.Getenv("SIMVID_BENCH_REF") != "0" {
		_, sec, peak := runSampled(ctx, t, "reference-clips.sh", "bash",
			[]string{filepath.Join(root, "scripts", "reference-clips.sh"), corpus, clips[0], clips[1], clips[2], refOut}, &buf)
		ref = Measure{"reference (ffmpeg)", sec, peak}
	}

	// simvid: the inputs as intake leaves them (facts, originals, the music's working copy),
	// made before the clock starts, as they are at upload.
	log := zap.NewNop()
	ff := ffmpeg.New("", "", log)
	in := render.Input{Images: map[string]render.Image{}, Clips: map[string]render.Clip{}, Audio: map[string]render.Audio{}, FFmpegVersion: "bench"}
	in.Spec.Output = simvid.Output{Resolution: fmt.Sprintf("%dx%d", benchWidth, benchHeight), FPS: 30, Quality: "standard"}
	in.Spec.Defaults = simvid.SlideDefaults{Duration: benchSeconds, Fit: "contain", Background: "#000000"}
	in.Spec.Transition = simvid.TransitionSpec{Name: "fade", Duration: benchFade}
	job := engine.Job{ImagePaths: map[string]string{}, AudioPaths: map[string]string{}, Parallel: 2}
	ci := 0
	for i, pic := range pics {
		id := fmt.Sprintf("img_pic%02d", i)
		in.Images[id] = render.Image{SHA256: fileSHA(t, pic), Width: probeInt(t, pic, "width"), Height: probeInt(t, pic, "height"),
			Orientation: 1, Format: map[string]string{".png": "png", ".jpg": "jpeg", ".webp": "webp"}[filepath.Ext(pic)]}
		job.ImagePaths[id] = pic
		in.Spec.Slides = append(in.Spec.Slides, simvid.Slide{Asset: id})
		if ci < len(clipSlideAfter) && i+1 == clipSlideAfter[ci] {
			cid := fmt.Sprintf("img_clip%d", ci)
			in.Clips[cid] = probeClip(t, clips[ci])
			job.ImagePaths[cid] = clips[ci]
			in.Spec.Slides = append(in.Spec.Slides, simvid.Slide{Asset: cid, In: benchClips[ci].in, Out: benchClips[ci].out})
			ci++
		}
	}
	flac := filepath.Join(work, "music.flac")
	if out, err := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-i", music, "-vn", "-ar", "48000", "-ac", "2", "-c:a", "flac", flac).CombinedOutput(); err != nil {
		t.Fatalf("music working copy: %v\n%s", err, out)
	}
	in.Audio["aud_music"] = render.Audio{SHA256: fileSHA(t, flac), Duration: probeFloat(t, flac, "format=duration")}
	job.AudioPaths["aud_music"] = flac
	in.Spec.Audio = []simvid.AudioClip{{Asset: "aud_music"}}
	in.Spec.Music = simvid.MusicSpec{Fit: "loop"}
	in.Spec.Normalize()

	eng := engine.New(ff, filepath.Join(work, "cache"), filepath.Join(work, "tmp"), log)
	run := func(name string, in render.Input) Measure {
		plan, err := render.NewPlan(in)
		if err != nil {
			t.Fatal(err)
		}
		if plan.Frames != clipsFrames {
			t.Fatalf("%d frames, want %d", plan.Frames, clipsFrames)
		}
		job.Plan, job.Output = plan, filepath.Join(work, name+".mp4")
		sampler := NewPeakSampler(os.Getpid(), sampleEvery)
		start, cpu := time.Now(), cpuSeconds()
		res, err := eng.Run(ctx, job, nil)
		m := Measure{name, time.Since(start).Seconds(), sampler.Stop()}
		t.Logf("%s: %.1f CPU seconds (this process and its ffmpeg)", name, cpuSeconds()-cpu)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f := probeVideo(ctx, t, job.Output)
		if f.Frames != clipsFrames || f.Width != benchWidth || !f.Audio {
			t.Errorf("%s: %s", name, f)
		}
		t.Logf("%s: %d segments, %d from the cache", name, len(plan.Segments), res.Cached)
		return m
	}
	cold := run("simvid cold", in)
	// One picture changed: the slide after the first clip shows another picture.
	changed := filepath.Join(work, "changed.png")
	if out, err := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-i", pics[5], "-vf", "hflip", changed).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	in.Images["img_changed"] = render.Image{SHA256: fileSHA(t, changed), Width: probeInt(t, changed, "width"),
		Height: probeInt(t, changed, "height"), Orientation: 1, Format: "png"}
	job.ImagePaths["img_changed"] = changed
	in.Spec.Slides[6].Asset = "img_changed"
	onePic := run("one picture changed", in)

	say := sayer(t)
	say(fmt.Sprintf("simvid clips bench: 12 pictures and 3 clips (1080p H.264 with sound, 4K HEVC 10-bit HLG rotated, 720p VFR) at %dx%d, %d frames, music ducked under clip A",
		benchWidth, benchHeight, clipsFrames))
	for _, line := range Table(ref, cold, onePic) {
		say(line)
	}
	if ref.Seconds > 0 {
		say(fmt.Sprintf("reference: ffmpeg alone %s s by its own clock; output %s", strings.TrimSpace(lastLine(buf.String())), probeVideo(ctx, t, refOut)))
	}
}

func lastLine(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return "?"
	}
	return f[len(f)-1]
}

func fileSHA(t *testing.T, path string) string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func probeFloat(t *testing.T, path, entry string) float64 {
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", entry, "-of", "default=nw=1:nk=1", path).Output()
	if strings.HasPrefix(entry, "format=") {
		out, err = exec.Command("ffprobe", "-v", "error", "-show_entries", entry, "-of", "default=nw=1:nk=1", path).Output()
	}
	if err != nil {
		t.Fatalf("ffprobe %s %s: %v", entry, path, err)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.Split(string(out), "\n")[0]), 64)
	if err != nil {
		t.Fatalf("ffprobe %s %s: %q", entry, path, out)
	}
	return v
}

func probeInt(t *testing.T, path, field string) int { return int(probeFloat(t, path, "stream="+field)) }

// probeClip learns what intake would of a generated clip (issue 21's intake does it in the
// service): sizes, rotation, frame rate, HDR transfer, sound.
func probeClip(t *testing.T, path string) render.Clip {
	out, err := exec.Command("ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	var pr struct {
		Streams []struct {
			CodecType    string `json:"codec_type"`
			Width        int    `json:"width"`
			Height       int    `json:"height"`
			AvgFrameRate string `json:"avg_frame_rate"`
			ColorTrc     string `json:"color_transfer"`
			SideData     []struct {
				Rotation float64 `json:"rotation"`
			} `json:"side_data_list"`
		} `json:"streams"`
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &pr); err != nil {
		t.Fatal(err)
	}
	c := render.Clip{SHA256: fileSHA(t, path), Format: "mp4"}
	c.Duration, _ = strconv.ParseFloat(pr.Format.Duration, 64)
	for _, s := range pr.Streams {
		switch s.CodecType {
		case "audio":
			c.HasAudio = true
		case "video":
			c.CodedW, c.CodedH, c.Width, c.Height = s.Width, s.Height, s.Width, s.Height
			if num, den, ok := strings.Cut(s.AvgFrameRate, "/"); ok {
				n, _ := strconv.ParseFloat(num, 64)
				d, _ := strconv.ParseFloat(den, 64)
				if d > 0 {
					c.FPS = n / d
				}
			}
			for _, sd := range s.SideData {
				c.Rotation = ((-int(sd.Rotation))%360 + 360) % 360 // the display matrix turns counter-clockwise
			}
			if c.Rotation == 90 || c.Rotation == 270 {
				c.Width, c.Height = s.Height, s.Width
			}
			switch s.ColorTrc {
			case "arib-std-b67":
				c.HDR = "hlg"
			case "smpte2084":
				c.HDR = "pq"
			}
		}
	}
	return c
}

// cpuSeconds is the user and system time of this process and its waited-for children (every
// ffmpeg the engine ran): on a shared machine a steadier measure than the wall clock.
func cpuSeconds() float64 {
	var self, kids syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	sec := func(tv syscall.Timeval) float64 { return float64(tv.Sec) + float64(tv.Usec)/1e6 }
	return sec(self.Utime) + sec(self.Stime) + sec(kids.Utime) + sec(kids.Stime)
}
