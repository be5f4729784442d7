package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gomodule/redigo/redis"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/config"
	"github.com/simvid/simvid/pkg/fetch"
	"github.com/simvid/simvid/pkg/ffmpeg"
	"github.com/simvid/simvid/pkg/media"
	"github.com/simvid/simvid/pkg/redisx"
	"github.com/simvid/simvid/pkg/store"
)

func newDoctor() *cobra.Command {
	c := &cobra.Command{
		Use:   "doctor",
		Short: "Check that ffmpeg, Redis, the database, the data directory, the object store and yt-dlp are usable",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(cmd.Flags(), os.LookupEnv)
			if err != nil {
				return err
			}
			d := &doctor{out: cmd.OutOrStdout()}
			d.run(cmd.Context(), cfg)
			if d.failed > 0 {
				return fmt.Errorf("%d check(s) failed", d.failed)
			}
			return nil
		},
	}
	config.BindFlags(c.Flags())
	return c
}

type doctor struct {
	out    io.Writer
	failed int
}

func (d *doctor) ok(what, detail string)   { fmt.Fprintf(d.out, "  ok    %-12s %s\n", what, detail) }
func (d *doctor) warn(what, detail string) { fmt.Fprintf(d.out, "  warn  %-12s %s\n", what, detail) }
func (d *doctor) fail(what, detail string) {
	d.failed++
	fmt.Fprintf(d.out, "  FAIL  %-12s %s\n", what, detail)
}

func (d *doctor) run(ctx context.Context, cfg *config.Config) {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	fmt.Fprintf(d.out, "simvid %s doctor\n", version)
	ff := ffmpeg.New(cfg.FFmpeg.FFmpeg, cfg.FFmpeg.FFprobe, zap.NewNop())
	d.checkFFmpeg(ctx, ff)
	d.checkRedis(ctx, cfg.RedisURL)
	d.checkDatabase(ctx, cfg)
	d.checkDataDir(cfg)
	d.checkStorage(ctx, cfg)
	d.checkYTDLP(ctx, cfg)
}

// checkYTDLP reports whether music links can be fetched. A missing yt-dlp is a warning:
// links say so and everything else works.
func (d *doctor) checkYTDLP(ctx context.Context, cfg *config.Config) {
	if len(cfg.Links.AllowedHosts) == 0 {
		d.ok("yt-dlp", "not used (links.allowed_hosts is empty)")
		return
	}
	y := &fetch.YTDLP{Path: cfg.Links.YTDLP}
	v, err := y.Version(ctx)
	switch {
	case errors.Is(err, fetch.ErrNotInstalled):
		d.warn("yt-dlp", fmt.Sprintf("%s is not installed: music links from %s are refused (apt-get install yt-dlp, or set links.yt_dlp)",
			cfg.Links.YTDLP, strings.Join(cfg.Links.AllowedHosts, ", ")))
	case err != nil:
		d.warn("yt-dlp", fmt.Sprintf("%s does not run: %v", cfg.Links.YTDLP, err))
	default:
		d.ok("yt-dlp", fmt.Sprintf("%s version %s, for %s", cfg.Links.YTDLP, v, strings.Join(cfg.Links.AllowedHosts, ", ")))
	}
	if cfg.Links.DirectMedia {
		d.ok("links", "direct media links on (fetched by simvid; private addresses refused)")
	}
}

func (d *doctor) checkFFmpeg(ctx context.Context, ff *ffmpeg.Runner) {
	caps, err := ff.Capabilities(ctx)
	if err != nil {
		d.fail("ffmpeg", fmt.Sprintf("%s not usable: %v (install it: apt-get install ffmpeg)", ff.FFmpegPath(), err))
		return
	}
	d.ok("ffmpeg", fmt.Sprintf("%s version %s", ff.FFmpegPath(), caps.Version))
	if !caps.H264 || !caps.AAC {
		d.fail("encoders", "libx264 or aac is missing from this ffmpeg build")
	} else {
		d.ok("encoders", "libx264, aac")
	}
	d.ok("transitions", fmt.Sprintf("%d xfade transitions: %s", len(caps.Transitions), strings.Join(caps.Transitions, " ")))
	if _, err := ff.ProbeFile(ctx, os.DevNull, 5*time.Second, false); err != nil && strings.Contains(err.Error(), "executable file not found") {
		d.fail("ffprobe", fmt.Sprintf("%s not found (it comes with ffmpeg)", ff.FFprobePath()))
	} else {
		d.ok("ffprobe", ff.FFprobePath())
	}
}

func (d *doctor) checkRedis(ctx context.Context, url string) {
	if url == "" {
		d.warn("redis", "not configured: only `simvid all` can run (with an embedded Redis)")
		return
	}
	pool, err := redisx.NewPool(url, 2)
	if err != nil {
		d.fail("redis", err.Error())
		return
	}
	defer pool.Close()
	if err := redisx.Ping(ctx, pool); err != nil {
		d.fail("redis", fmt.Sprintf("%s not reachable: %v", redisx.Redact(url), err))
		return
	}
	d.ok("redis", redisx.Redact(url)+" answers")
	conn := pool.Get()
	defer conn.Close()
	if v, err := redis.Strings(conn.Do("CONFIG", "GET", "maxmemory-policy")); err == nil && len(v) == 2 {
		if v[1] != "noeviction" {
			d.warn("redis", fmt.Sprintf("maxmemory-policy is %s: an evicting policy can drop queue keys; set noeviction", v[1]))
		} else {
			d.ok("redis", "maxmemory-policy noeviction")
		}
	}
}

func (d *doctor) checkDatabase(ctx context.Context, cfg *config.Config) {
	st, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir, zap.NewNop())
	if err != nil {
		d.fail("database", err.Error())
		return
	}
	defer st.Close()
	if err := st.Ping(ctx); err != nil {
		d.fail("database", err.Error())
		return
	}
	d.ok("database", st.Dialect()+" reachable, migrations applied")
}

func (d *doctor) checkDataDir(cfg *config.Config) {
	ms, err := media.NewFiles(cfg.DataDir)
	if err != nil {
		d.fail("data dir", err.Error())
		return
	}
	probe := filepath.Join(ms.TmpDir(), ".doctor")
	if err := os.WriteFile(probe, []byte("ok"), 0o600); err != nil {
		d.fail("data dir", fmt.Sprintf("%s is not writable: %v", cfg.DataDir, err))
		return
	}
	os.Remove(probe)
	free, err := ms.Free()
	switch {
	case err != nil:
		d.warn("disk", "free space unknown: "+err.Error())
	case free < uint64(cfg.Limits.MinFreeDisk):
		d.fail("disk", fmt.Sprintf("%d MiB free in %s, below limits.min_free_disk", free>>20, cfg.DataDir))
	default:
		d.ok("data dir", fmt.Sprintf("%s writable, %.1f GiB free", cfg.DataDir, float64(free)/(1<<30)))
	}
}
