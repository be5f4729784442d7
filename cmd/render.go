package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/engine"
	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/render"
	"github.com/simvid/simvid/pkg/simvid"
)

type renderFlags struct {
	audio, resolution, transition, fit, background, output, specFile, cacheDir, quality string
	duration, transitionDur, start, end                                                 float64
	concurrency, threads                                                                int
	verbose                                                                             bool
	timings                                                                             bool
	looks                                                                               lookFlags
	arrange                                                                             orderFlags
}

// lookFlags are the shape, motion and music choices of a render without a spec file.
type lookFlags struct {
	aspect, motion, musicFit string
	lines, fps               int
	strength                 float64
	normalize                bool
	beatSync                 bool
}

func newRender() *cobra.Command {
	var f renderFlags
	c := &cobra.Command{
		Use:   "render [pictures...] -o out.mp4",
		Short: "Render a slideshow on this machine: no server, no Redis, no database",
		Example: "  simvid render a.jpg b.png c.webp --audio song.mp3 -o out.mp4\n" +
			"  simvid render --spec show.json -o out.mp4",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signalContext()
			defer stop()
			return runRender(ctx, cmd, f, args)
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.audio, "audio", "", "music file (mp3, m4a, wav, ogg, opus, flac, webm)")
	fl.Float64Var(&f.start, "audio-start", 0, "seconds into the music to start from")
	fl.Float64Var(&f.end, "audio-end", 0, "seconds into the music to end at (0: its end)")
	fl.StringVar(&f.resolution, "resolution", simvid.DefaultResolution, "output size WxH")
	fl.Float64Var(&f.duration, "duration", simvid.DefaultDuration, "seconds per picture")
	fl.StringVar(&f.transition, "transition", simvid.DefaultTransition, "transition between pictures (none, random, fade, or an xfade name)")
	fl.Float64Var(&f.transitionDur, "transition-duration", simvid.DefaultTransDur, "transition seconds")
	fl.StringVar(&f.fit, "fit", simvid.DefaultFit, "contain, blur or cover")
	fl.StringVar(&f.background, "background", simvid.DefaultBackground, "background colour for contain")
	fl.StringVar(&f.quality, "quality", simvid.DefaultQuality, "draft, standard or high")
	fl.StringVar(&f.looks.aspect, "aspect", "", "aspect preset instead of --resolution: 16:9, 9:16, 1:1 or 4:5")
	fl.IntVar(&f.looks.lines, "lines", simvid.DefaultLines, "short side of an --aspect preset: 480, 720, 1080, 1440 or 2160")
	fl.IntVar(&f.looks.fps, "fps", simvid.DefaultFPS, "frames a second: 24, 25, 30 or 60")
	fl.StringVar(&f.looks.motion, "motion", simvid.DefaultMotion, "none, zoom-in, zoom-out, pan-left, pan-right, pan-up, pan-down or auto")
	fl.Float64Var(&f.looks.strength, "motion-strength", simvid.DefaultMotionStrength, "how far a motion goes (0.05 to 0.5)")
	fl.StringVar(&f.looks.musicFit, "music-fit", simvid.DefaultMusicFit, "loop, trim, or slides (stretch the slides to the music)")
	fl.BoolVar(&f.looks.normalize, "normalize", false, "bring the music to -16 LUFS")
	fl.BoolVar(&f.looks.beatSync, "beat-sync", false, "change pictures on the beat of the music (also with --spec)")
	fl.StringVarP(&f.output, "output", "o", "out.mp4", "the MP4 to write")
	fl.StringVar(&f.specFile, "spec", "", "a JSON render spec; its slides' and audio's \"asset\" are file paths")
	fl.StringVar(&f.cacheDir, "cache-dir", "", "keep prepared pictures and segments here between runs (default: a temporary folder)")
	fl.IntVar(&f.concurrency, "concurrency", runtime.NumCPU(), "ffmpeg processes at once")
	fl.IntVar(&f.threads, "threads", 0, "threads per ffmpeg process (0: ffmpeg decides)")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "log what happens")
	fl.BoolVar(&f.timings, "timings", false, "print where the time went at the end: every ffmpeg's CPU and wall seconds by kind")
	addOrderFlags(fl, &f.arrange)
	return c
}

func runRender(ctx context.Context, cmd *cobra.Command, f renderFlags, args []string) error {
	began := time.Now()
	log := zap.NewNop()
	if f.verbose {
		log, _ = zap.NewDevelopment()
	}
	spec, files, audioFile, err := buildSpec(f, args)
	if err != nil {
		return err
	}
	work := f.cacheDir
	if work == "" {
		if work, err = os.MkdirTemp("", "simvid-render-"); err != nil {
			return err
		}
		defer os.RemoveAll(work)
	}
	ms, err := media.NewFiles(work)
	if err != nil {
		return err
	}
	ff := ffmpeg.New("", "", log)
	caps, err := ff.RenderCaps(ctx)
	if err != nil {
		return fmt.Errorf("ffmpeg is not usable: %w (install it: apt-get install ffmpeg)", err)
	}
	bar := newProgressBar(cmd.ErrOrStderr())
	if audioFile != "" {
		bar.stage("reading pictures and music")
	} else {
		bar.stage("reading pictures")
	}
	intake := media.NewIntake(ff, ms, media.Limits{FileBytes: 1 << 30, ImagePixels: 200e6, AudioSeconds: 4 * 3600, ProbeTimeout: time.Minute,
		Decodes: max(f.concurrency, 1)}, log)
	pid := simvid.NewID(simvid.PrefixProject)
	in := render.Input{Spec: spec, Images: map[string]render.Image{}, Audio: map[string]render.Audio{}, FFmpegVersion: caps.Version}
	job := engine.Job{ImagePaths: map[string]string{}, AudioPaths: map[string]string{}, Output: f.output,
		Poster: "", Parallel: max(f.concurrency, 1), Threads: f.threads}
	eng := engine.New(ff, ms.CacheDir(), ms.TmpDir(), log)
	mctx, stopMusic := context.WithCancel(ctx)
	music := readMusic(mctx, intake, pid, audioFile)
	defer func() { stopMusic(); _, _ = music() }() // its ffmpeg ended before the work folder goes
	assets, err := readPictures(ctx, intake, pid, files, in.Spec, caps.Version, eng.StillPath, job.Parallel)
	if err != nil {
		return err
	}
	for i, a := range assets {
		in.Spec.Slides[i].Asset = a.ID
		in.AddSlideAsset(a)
		if job.ImagePaths[a.ID], err = ms.Original(pid, a.ID); err != nil {
			return err
		}
	}
	if a, err := music(); err != nil {
		return err
	} else if a != nil {
		in.Spec.Audio[0].Asset = a.ID
		in.Audio[a.ID] = render.Audio{SHA256: a.SHA256, Duration: a.Duration, Beats: a.Beats}
		if job.AudioPaths[a.ID], err = ms.AudioWork(pid, a.ID); err != nil {
			return err
		}
	}
	if err := in.Spec.Validate(caps.Transitions, simvid.Limits{}); err != nil {
		return err
	}
	plan, err := render.NewPlan(in)
	if err != nil {
		return err
	}
	for _, w := range plan.Warnings {
		fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
	}
	job.Plan = plan
	start := time.Now()
	res, err := eng.Run(ctx, job, bar.update)
	if err != nil {
		return fmt.Errorf("render failed: %s", simvid.ErrorMessage(err)+detail(err))
	}
	bar.done()
	fmt.Fprintf(cmd.OutOrStdout(), "%s: %.2f s of video, %d frames, %.1f MB, made in %.1f s\n",
		f.output, res.Duration, res.Frames, float64(res.Size)/1e6, time.Since(start).Seconds())
	if f.timings {
		printTimings(cmd.OutOrStdout(), ff.Usage(), time.Since(began))
	}
	return nil
}

// detail adds ffmpeg's explanation to an uncoded failure.
func detail(err error) string {
	var re *ffmpeg.RunError
	if simvid.ErrorCode(err) == simvid.EInternal && asRunError(err, &re) {
		return ": " + re.Message
	}
	return ""
}

func intakeFile(path string, fn func(name string, f *os.File) (*simvid.Asset, error)) (*simvid.Asset, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %w", path, err)
	}
	defer fh.Close()
	a, err := fn(filepath.Base(path), fh)
	if err != nil {
		return nil, fmt.Errorf("%s", simvid.ErrorMessage(err))
	}
	return a, nil
}

// buildSpec makes the spec from --spec or the flags; file paths are returned separately and
// the spec's asset fields are filled with ids during intake.
func buildSpec(f renderFlags, args []string) (simvid.Spec, []string, string, error) {
	var spec simvid.Spec
	files := args
	audio := f.audio
	if f.specFile != "" {
		raw, err := os.ReadFile(f.specFile)
		if err != nil {
			return spec, nil, "", err
		}
		if err := json.Unmarshal(raw, &spec); err != nil {
			return spec, nil, "", fmt.Errorf("%s: %w", f.specFile, err)
		}
		base := filepath.Dir(f.specFile)
		if len(args) == 0 {
			files = nil
			for _, s := range spec.Slides {
				files = append(files, resolve(base, s.Asset))
			}
		}
		if len(spec.Audio) > 0 && audio == "" {
			audio = resolve(base, spec.Audio[0].Asset)
		}
	} else {
		spec.Output = simvid.Output{Resolution: f.resolution, FPS: f.looks.fps, Quality: f.quality}
		if f.looks.aspect != "" {
			spec.Output.Aspect, spec.Output.Lines = f.looks.aspect, f.looks.lines
		}
		spec.Defaults = simvid.SlideDefaults{Duration: f.duration, Fit: f.fit, Background: f.background,
			Motion: f.looks.motion, MotionStrength: f.looks.strength}
		spec.Music = simvid.MusicSpec{Fit: f.looks.musicFit, Normalize: f.looks.normalize}
		spec.Transition = simvid.TransitionSpec{Name: f.transition, Duration: f.transitionDur}
		if f.transition == "none" {
			spec.Transition.Duration = 0
		}
	}
	if len(files) == 0 {
		return spec, nil, "", fmt.Errorf("no pictures given: simvid render a.jpg b.png ... -o out.mp4")
	}
	if len(spec.Slides) != len(files) {
		spec.Slides = make([]simvid.Slide, len(files))
	}
	if audio != "" && len(spec.Audio) == 0 {
		spec.Audio = []simvid.AudioClip{{Start: f.start, End: f.end}}
	}
	if audio == "" {
		spec.Audio = nil
	}
	f.arrange.apply(&spec)
	if f.looks.beatSync {
		spec.BeatSync = true
	}
	spec.Normalize()
	return spec, files, audio, nil
}

func resolve(base, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}
