package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDefaultIsValid(t *testing.T) {
	t.Parallel()
	if err := Default().Validate(); err != nil {
		t.Fatal(err)
	}
}

// A 4096x4096 picture (16.8 MP) is decoded in one intake turn, beside another: its ffmpeg
// peaks at 86-94 MB as a WebP, 130 MB as an RGBA PNG, no more than a 4000x4000 PNG (135 MB),
// which one turn always took. Two turns for it left a core idle while it decoded.
func TestDefaultTurnTakesA4096Square(t *testing.T) {
	t.Parallel()
	if px := Default().Limits.IntakeTurnPixels; px < 4096*4096 {
		t.Fatalf("limits.intake_turn_pixels = %d: a 4096x4096 picture takes two turns", px)
	}
}

func TestValidateNamesKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"file bytes", func(c *Config) { c.Limits.FileBytes = 0 }, "limits.file_bytes: must be positive"},
		{"project below file", func(c *Config) { c.Limits.ProjectBytes = MiB }, "limits.project_bytes: must be at least limits.file_bytes (25MiB)"},
		{"pixels", func(c *Config) { c.Limits.ImagePixels = -1 }, "limits.image_pixels: must be positive"},
		{"free disk", func(c *Config) { c.Limits.MinFreeDisk = -1 }, "limits.min_free_disk: must not be negative"},
		{"video duration", func(c *Config) { c.Limits.VideoDuration = 0 }, "limits.video_duration: must be positive"},
		{"child nice high", func(c *Config) { c.Limits.ChildNice = 20 }, "limits.child_nice: must be from 0 (off) to 19 (lowest priority), not 20"},
		{"child nice negative", func(c *Config) { c.Limits.ChildNice = -5 }, "limits.child_nice: must be from 0 (off) to 19"},
		{"bad cidr", func(c *Config) { c.TrustedProxies = []string{"10.0.0.0/8", "10.0.0.300/8"} }, `trusted_proxies: "10.0.0.300/8" is not a CIDR or IP`},
		{"bad ip", func(c *Config) { c.TrustedProxies = []string{"proxy.local"} }, `trusted_proxies: "proxy.local" is not a CIDR or IP`},
		{"log level", func(c *Config) { c.Log.Level = "verbose" }, "log.level: must be one of debug, info, warn, error"},
		{"log format", func(c *Config) { c.Log.Format = "text" }, "log.format: must be one of json, console"},
		{"addr", func(c *Config) { c.Addr = "8080" }, `addr: "8080" is not a listen address`},
		{"addr port", func(c *Config) { c.Addr = ":99999" }, `addr: ":99999" has no valid port number`},
		{"metrics addr", func(c *Config) { c.MetricsAddr = "localhost" }, "metrics_addr:"},
		{"metrics same as addr", func(c *Config) { c.MetricsAddr = c.Addr }, "metrics_addr: must differ from addr"},
		{"redis scheme", func(c *Config) { c.RedisURL = "http://u:topsecret@h:1" }, "redis_url: must be a URL starting with redis:// or rediss:// or redis+sentinel://"},
		{"sentinel without master", func(c *Config) { c.RedisURL = "redis+sentinel://:topsecret@h1:26379,h2:26379" }, "redis_url: Redis URL redis+sentinel://:xxxxx@h1:26379,h2:26379: no master name"},
		{"database scheme", func(c *Config) { c.DatabaseURL = "mysql://u:topsecret@h/db" }, "database_url: must be a URL starting with postgres:// or postgresql://"},
		{"public url", func(c *Config) { c.PublicURL = "video.example.com" }, "public_url: must be a URL starting with http:// or https://"},
		{"both passwords", func(c *Config) { c.Admin.Password, c.Admin.PasswordHash = "a", "b" }, "admin: set password or password_hash, not both"},
		{"video workers", func(c *Config) { c.Workers.Video = 0 }, "workers.video: must be at least 1"},
		{"cors origin", func(c *Config) { c.API.CORSOrigins = []string{"https://app.example.com/path"} }, `api.cors_origins: "https://app.example.com/path" is not an origin`},
		{"webhook allow", func(c *Config) { c.API.WebhookAllow = []string{"intranet"} }, `api.webhook_allow: "intranet" is not a CIDR or IP`},
		{"webhook timeout", func(c *Config) { c.API.WebhookTimeout = 0 }, "api.webhook_timeout: must be positive"},
		{"audio workers", func(c *Config) { c.Workers.Audio = -2 }, "workers.audio: must be at least 1"},
		{"rate", func(c *Config) { c.RateLimits.Upload = "20/h" }, `rate_limits.upload: "20/h" is not a rate`},
		{"rate period", func(c *Config) { c.RateLimits.OtherDaily = "500-W" }, "rate_limits.other_daily:"},
		{"zero rate", func(c *Config) { c.RateLimits.Render = "0-H" }, "rate_limits.render:"},
		{"byte budget", func(c *Config) { c.RateLimits.UploadBytes = "2 gigs-H" }, `rate_limits.upload_bytes: "2 gigs-H" is not a byte budget`},
		{"pixel budget", func(c *Config) { c.RateLimits.UploadPixels = "6000GB-H" }, "rate_limits.upload_pixels:"},
		{"link rate", func(c *Config) { c.RateLimits.Link = "30" }, "rate_limits.link:"},
		{"rate checked when off", func(c *Config) { c.RateLimits.Enabled = false; c.RateLimits.Read = "x" }, "rate_limits.read:"},
		{"attempts", func(c *Config) { c.Jobs.MaxAttempts = 0 }, "jobs.max_attempts: must be positive"},
		{"lease", func(c *Config) { c.Jobs.LeaseTTL = -time.Second }, "jobs.lease_ttl: must be positive"},
		{"grace", func(c *Config) { c.Jobs.ShutdownGrace = -1 }, "jobs.shutdown_grace: must not be negative"},
		{"ttl", func(c *Config) { c.Retention.ProjectTTL = -time.Hour }, "retention.project_ttl: must not be negative"},
		{"interval", func(c *Config) { c.Retention.Interval = 0 }, "retention.interval: must be positive"},
		{"ffmpeg", func(c *Config) { c.FFmpeg.FFmpeg = " " }, "ffmpeg.ffmpeg: must name the ffmpeg binary"},
		{"threads", func(c *Config) { c.FFmpeg.Threads = -1 }, "ffmpeg.threads: must not be negative"},
		{"data dir", func(c *Config) { c.DataDir = "" }, "data_dir: must not be empty"},
		{"yt-dlp", func(c *Config) { c.Links.YTDLP = "" }, "links.yt_dlp: must name the yt-dlp binary"},
		{"link host", func(c *Config) { c.Links.AllowedHosts = []string{"youtube.com", "https://youtu.be"} }, `links.allowed_hosts: "https://youtu.be" is not a host name`},
		{"link network", func(c *Config) { c.Links.AllowNetworks = []string{"loopback"} }, `links.allow_networks: "loopback" is not a CIDR or address`},
		{"link bytes", func(c *Config) { c.Links.MaxBytes = 0 }, "links.max_bytes: must be positive"},
		{"link timeout", func(c *Config) { c.Links.Timeout = 0 }, "links.timeout: must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := Default()
			tt.change(c)
			err := c.Validate()
			if err == nil {
				t.Fatal("Validate accepted it")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "topsecret") {
				t.Errorf("error repeats a password: %q", err)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) != 1 {
				t.Errorf("want one FieldError, got %#v", err)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Limits.FileBytes, c.Log.Level, c.Jobs.Backoff = 0, "x", 0
	var ve *ValidationError
	if !errors.As(c.Validate(), &ve) || len(ve.Fields) != 3 {
		t.Fatalf("got %v", c.Validate())
	}
}

func TestValidAlternatives(t *testing.T) {
	t.Parallel()
	c := Default()
	c.MetricsAddr = "off"
	c.Addr, c.MetricsAddr = "127.0.0.1:0", "127.0.0.1:0" // tests bind both to free ports
	c.RedisURL = "rediss://:pw@redis.internal:6380/2"
	c.DatabaseURL = "postgres:///simvid?host=/var/run/postgresql"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.RedisURL = "redis+sentinel://:pw@s1:26379,s2,[fd00::3]:26380/simvid/2?sentinel_password=spw"
	c.DatabaseURL = "host=/var/run/postgresql dbname=simvid"
	c.PublicURL = "https://video.example.com/base"
	c.Retention.ProjectTTL = 0
	c.Limits.MinFreeDisk = 0
	c.Log.Format, c.Log.Level = "console", "debug"
	c.TrustedProxies = []string{"10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1", "10.1.2.3/16"}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.DatabaseURL = "postgres:///simvid?host=/var/run/postgresql"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestTrustedNets(t *testing.T) {
	t.Parallel()
	c := Default()
	c.TrustedProxies = []string{"10.0.0.0/8", "192.168.1.7", "::1", "10.1.2.3/16", "::ffff:1.2.3.4"}
	var got []string
	for _, n := range c.TrustedNets() {
		got = append(got, n.String())
	}
	want := "10.0.0.0/8 192.168.1.7/32 ::1/128 10.1.0.0/16 1.2.3.4/32"
	if strings.Join(got, " ") != want {
		t.Errorf("TrustedNets = %v, want %s", got, want)
	}
	if nets := c.TrustedNets(); !nets[1].Contains([]byte{192, 168, 1, 7}) || nets[1].Contains([]byte{192, 168, 1, 8}) {
		t.Error("a bare IP must match exactly that address")
	}
}

// A link fetch is held to the smaller of the link and upload caps.
func TestLinkCaps(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Links.MaxBytes, c.Limits.FileBytes = 50*MiB, 10*MiB
	c.Links.MaxDuration, c.Limits.AudioDuration = 5*time.Minute, 20*time.Minute
	if b, d := c.LinkCaps(); b != int64(10*MiB) || d != 5*time.Minute {
		t.Fatalf("LinkCaps = %d, %s", b, d)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("a link cap above the upload cap is valid (the smaller wins): %v", err)
	}
}
