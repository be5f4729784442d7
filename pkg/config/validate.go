package config

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ulule/limiter/v3"

	"github.com/simvid/simvid/pkg/fetch"
	"github.com/simvid/simvid/pkg/ratelimit"
	"github.com/simvid/simvid/pkg/redisx"
)

// FieldError is one setting with a bad value; Key is the dotted YAML key.
type FieldError struct {
	Key     string
	Problem string
}

func (e FieldError) Error() string { return e.Key + ": " + e.Problem }

// ValidationError lists every bad setting at once, so an operator fixes them in one go.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Error()
	}
	return "config: " + strings.Join(parts, "; ")
}

type checker struct{ errs []FieldError }

func (k *checker) fail(key, format string, args ...any) {
	k.errs = append(k.errs, FieldError{Key: key, Problem: fmt.Sprintf(format, args...)})
}

func (k *checker) positive(key string, n int64) {
	if n <= 0 {
		k.fail(key, "must be positive")
	}
}

func (k *checker) notNegative(key string, n int64) {
	if n < 0 {
		k.fail(key, "must not be negative")
	}
}

func (k *checker) duration(key string, d time.Duration) { k.positive(key, int64(d)) }

// Validate checks every setting and returns a *ValidationError naming each bad key, or nil.
func (c *Config) Validate() error {
	k := &checker{}
	k.listenAddr("addr", c.Addr)
	if c.MetricsAddr != "" && c.MetricsAddr != "off" && c.MetricsAddr != MetricsAuto {
		k.listenAddr("metrics_addr", c.MetricsAddr)
		if c.MetricsAddr == c.Addr && !strings.HasSuffix(c.Addr, ":0") {
			k.fail("metrics_addr", "must differ from addr (or be \"off\")")
		}
	}
	if strings.TrimSpace(c.DataDir) == "" {
		k.fail("data_dir", "must not be empty")
	}
	if redisx.IsSentinelURL(c.RedisURL) {
		if _, err := redisx.ParseSentinelURL(c.RedisURL); err != nil {
			k.fail("redis_url", "%s", strings.TrimPrefix(err.Error(), "redisx: "))
		}
	} else {
		k.url("redis_url", c.RedisURL, "redis", "rediss", redisx.SentinelScheme)
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "file:") &&
		(strings.Contains(c.DatabaseURL, "://") || !strings.Contains(c.DatabaseURL, "=")) {
		k.url("database_url", c.DatabaseURL, "postgres", "postgresql", "sqlite")
	}
	k.url("public_url", c.PublicURL, "http", "https")
	for _, p := range c.TrustedProxies {
		if _, err := parseProxy(p); err != nil {
			k.fail("trusted_proxies", "%q is not a CIDR or IP", p)
		}
	}
	k.oneOf("log.format", c.Log.Format, "json", "console")
	k.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	if c.Admin.Password != "" && c.Admin.PasswordHash != "" {
		k.fail("admin", "set password or password_hash, not both")
	}
	if c.Workers.Video < 1 {
		k.fail("workers.video", "must be at least 1 (0 in a file or the environment means one per CPU)")
	}
	if c.Workers.Audio < 1 {
		k.fail("workers.audio", "must be at least 1")
	}
	c.Limits.check(k)
	c.RateLimits.check(k)
	c.Jobs.check(k)
	c.API.check(k)
	k.notNegative("retention.project_ttl", int64(c.Retention.ProjectTTL))
	k.duration("retention.interval", c.Retention.Interval)
	if strings.TrimSpace(c.FFmpeg.FFmpeg) == "" {
		k.fail("ffmpeg.ffmpeg", "must name the ffmpeg binary")
	}
	if strings.TrimSpace(c.FFmpeg.FFprobe) == "" {
		k.fail("ffmpeg.ffprobe", "must name the ffprobe binary")
	}
	k.notNegative("ffmpeg.threads", int64(c.FFmpeg.Threads))
	k.duration("ffmpeg.probe_timeout", c.FFmpeg.ProbeTimeout)
	c.checkLinks(k)
	c.HTTP.check(k)
	c.Storage.check(k)
	if len(k.errs) > 0 {
		return &ValidationError{Fields: k.errs}
	}
	return nil
}

func (l Limits) check(k *checker) {
	k.positive("limits.file_bytes", int64(l.FileBytes))
	k.positive("limits.project_bytes", int64(l.ProjectBytes))
	if l.FileBytes > 0 && l.ProjectBytes > 0 && l.ProjectBytes < l.FileBytes {
		k.fail("limits.project_bytes", "must be at least limits.file_bytes (%s)", l.FileBytes)
	}
	k.positive("limits.images_per_project", int64(l.ImagesPerProject))
	k.positive("limits.clip_bytes", int64(l.ClipBytes))
	k.duration("limits.clip_duration", l.ClipDuration)
	k.positive("limits.clip_pixels", l.ClipPixels)
	k.positive("limits.clip_fps", int64(l.ClipFPS))
	k.positive("limits.image_pixels", l.ImagePixels)
	k.duration("limits.audio_duration", l.AudioDuration)
	k.positive("limits.slides_per_render", int64(l.SlidesPerRender))
	k.notNegative("limits.intake_concurrency", int64(l.IntakeConcurrency))
	k.notNegative("limits.intake_turn_pixels", l.IntakeTurnPixels)
	if l.ChildNice < 0 || l.ChildNice > 19 {
		k.fail("limits.child_nice", "must be from 0 (off) to 19 (lowest priority), not %d", l.ChildNice)
	}
	k.duration("limits.video_duration", l.VideoDuration)
	k.positive("limits.unfinished_renders", int64(l.UnfinishedRenders))
	k.notNegative("limits.event_streams", int64(l.EventStreams))
	k.notNegative("limits.min_free_disk", int64(l.MinFreeDisk))
	k.positive("limits.files_per_request", int64(l.FilesPerRequest))
}

// check parses every rate even when rate limiting is off, so a typo shows before the day
// it is switched on.
func (r RateLimits) check(k *checker) {
	for _, x := range []struct{ key, rate string }{
		{"rate_limits.upload", r.Upload}, {"rate_limits.render", r.Render}, {"rate_limits.read", r.Read},
		{"rate_limits.other", r.Other}, {"rate_limits.other_daily", r.OtherDaily}, {"rate_limits.link", r.Link},
	} {
		rate, err := limiter.NewRateFromFormatted(x.rate)
		if err != nil || rate.Limit <= 0 {
			k.fail(x.key, "%q is not a rate like 20-H (a count, then S, M, H or D for second, minute, hour, day)", x.rate)
		}
	}
	// An empty budget is no budget; the request counts still hold.
	if _, err := ratelimit.ParseBytesRate("upload_bytes", r.UploadBytes); r.UploadBytes != "" && err != nil {
		k.fail("rate_limits.upload_bytes", "%q is not a byte budget like 2GB-H (an amount in B, KB, MB, GB, then S, M, H or D)", r.UploadBytes)
	}
	if _, err := ratelimit.ParsePixelsRate("upload_pixels", r.UploadPixels); r.UploadPixels != "" && err != nil {
		k.fail("rate_limits.upload_pixels", "%q is not a pixel budget like 6000MP-H (megapixels, then S, M, H or D)", r.UploadPixels)
	}
}

// checkLinks checks the link settings. The upload limits still apply to what is fetched (it
// goes through the same intake): the smaller of the two caps wins, see LinkCaps.
func (c *Config) checkLinks(k *checker) {
	l := c.Links
	if strings.TrimSpace(l.YTDLP) == "" {
		k.fail("links.yt_dlp", "must name the yt-dlp binary")
	}
	if _, err := fetch.NewPolicy(l.AllowedHosts, nil); err != nil {
		k.fail("links.allowed_hosts", "%s", strings.TrimPrefix(err.Error(), "fetch: "))
	}
	if _, err := fetch.NewPolicy(nil, l.AllowNetworks); err != nil {
		k.fail("links.allow_networks", "%s", strings.TrimPrefix(err.Error(), "fetch: "))
	}
	k.positive("links.max_bytes", int64(l.MaxBytes))
	k.duration("links.max_duration", l.MaxDuration)
	k.duration("links.timeout", l.Timeout)
}

func (j Jobs) check(k *checker) {
	k.positive("jobs.max_attempts", int64(j.MaxAttempts))
	k.duration("jobs.backoff", j.Backoff)
	k.duration("jobs.render_timeout", j.RenderTimeout)
	k.duration("jobs.lease_ttl", j.LeaseTTL)
	k.duration("jobs.reconcile_interval", j.ReconcileInterval)
	k.duration("jobs.music_wait", j.MusicWait)
	k.duration("jobs.disk_wait", j.DiskWait)
	k.notNegative("jobs.shutdown_grace", int64(j.ShutdownGrace))
}

func (k *checker) listenAddr(key, addr string) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		k.fail(key, "%q is not a listen address like :8080 or 127.0.0.1:8080", addr)
		return
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n > 65535 {
		k.fail(key, "%q has no valid port number", addr)
	}
}

// url checks an optional URL's scheme. The value itself is not repeated in the message:
// it may carry a password.
func (k *checker) url(key, raw string, schemes ...string) {
	if raw == "" {
		return
	}
	u, err := url.Parse(raw)
	ok := err == nil && slices.Contains(schemes, u.Scheme)
	// A PostgreSQL URL may leave the host out (the local socket); sqlite:///abs.db has none.
	if ok && u.Host == "" && u.Scheme != "postgres" && u.Scheme != "postgresql" && u.Scheme != "sqlite" {
		ok = false
	}
	if !ok {
		k.fail(key, "must be a URL starting with %s://", strings.Join(schemes, ":// or "))
	}
}

func (k *checker) oneOf(key, v string, allowed ...string) {
	if !slices.Contains(allowed, v) {
		k.fail(key, "must be one of %s", strings.Join(allowed, ", "))
	}
}
