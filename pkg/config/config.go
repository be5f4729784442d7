// Package config builds the one settings value every role runs with: defaults, then a YAML
// file, then SIMVID_* environment variables (and the seed's older names), then flags.
package config

import (
	"runtime"
	"time"
)

// Config is every setting of simvid. The yaml tags are the file's keys; each leaf key a.b_c
// is also read from the environment variable SIMVID_A_B_C.
type Config struct {
	Addr           string   `yaml:"addr"`            // HTTP listen address
	DataDir        string   `yaml:"data_dir"`        // media store and the SQLite file
	RedisURL       string   `yaml:"redis_url"`       // "" = embedded Redis (simvid all only)
	DatabaseURL    string   `yaml:"database_url"`    // "" = SQLite under data_dir
	TrustedProxies []string `yaml:"trusted_proxies"` // CIDRs or IPs allowed to set X-Forwarded-For
	MetricsAddr    string   `yaml:"metrics_addr"`    // Prometheus listener; "auto" (MetricsAuto); "" disables ("off" too, at load)
	PublicURL      string   `yaml:"public_url"`      // base for absolute links; "" = derive from the request

	Log        Log        `yaml:"log"`
	Admin      Admin      `yaml:"admin"`
	API        API        `yaml:"api"`
	Workers    Workers    `yaml:"workers"`
	Limits     Limits     `yaml:"limits"`
	RateLimits RateLimits `yaml:"rate_limits"`
	Jobs       Jobs       `yaml:"jobs"`
	Retention  Retention  `yaml:"retention"`
	FFmpeg     FFmpeg     `yaml:"ffmpeg"`
	Links      Links      `yaml:"links"`
	HTTP       HTTP       `yaml:"http"`
	Storage    Storage    `yaml:"storage"`
}

// MetricsAuto is the default metrics_addr: 127.0.0.1 on the first free port from
// MetricsAutoPort, so that any number of simvid processes started on one host with default
// settings each keep a metrics listener (an address written out must be free, or simvid
// stops). Each process logs where it listens ("metrics listening on").
const (
	MetricsAuto      = "auto"
	MetricsAutoHost  = "127.0.0.1"
	MetricsAutoPort  = 9464
	MetricsAutoTries = 100
)

// Log chooses the log encoding and the lowest level written.
type Log struct {
	Format string `yaml:"format"` // json | console
	Level  string `yaml:"level"`  // debug | info | warn | error
}

// Admin holds the admin password, in clear or as a hash; both print as *** in a dump.
type Admin struct {
	Password     Secret `yaml:"password"`
	PasswordHash Secret `yaml:"password_hash"`
	SecureCookie bool   `yaml:"secure_cookie"` // always mark the session cookie Secure
}

// API configures the surface programs use: private mode, CORS and webhooks.
type API struct {
	Private         bool          `yaml:"private"`           // only API keys and logged-in admins may create projects and renders
	CORSOrigins     []string      `yaml:"cors_origins"`      // origins whose pages may call /api/v1; "*" = any; empty = same origin only
	WebhookAllow    []string      `yaml:"webhook_allow"`     // private ranges webhooks may still call (CIDRs)
	WebhookTimeout  time.Duration `yaml:"webhook_timeout"`   // one webhook call
	WebhookBackoff  time.Duration `yaml:"webhook_backoff"`   // before the second attempt, doubled per attempt up to 1h
	WebhookRetryFor time.Duration `yaml:"webhook_retry_for"` // no attempt later than this after the first
}

// Workers is the number of jobs each queue runs at once in this process.
type Workers struct {
	Video int `yaml:"video"` // 0 = one per CPU, resolved by Load and Default
	Audio int `yaml:"audio"`
}

// Limits bound what one client may upload and render.
type Limits struct {
	FileBytes         Size          `yaml:"file_bytes"`
	ProjectBytes      Size          `yaml:"project_bytes"`
	ImagesPerProject  int           `yaml:"images_per_project"`
	ImagePixels       int64         `yaml:"image_pixels"` // width*height, against decompression bombs
	AudioDuration     time.Duration `yaml:"audio_duration"`
	SlidesPerRender   int           `yaml:"slides_per_render"`
	VideoDuration     time.Duration `yaml:"video_duration"`
	UnfinishedRenders int           `yaml:"unfinished_renders"` // per client: API key, IPv4 address or IPv6 /64
	EventStreams      int           `yaml:"event_streams"`      // open progress streams per client and serve instance; 0 = no cap
	MinFreeDisk       Size          `yaml:"min_free_disk"`      // below it uploads get 507; 0 = no check
	IntakeConcurrency int           `yaml:"intake_concurrency"` // pictures decoded at once per process; 0 = one per CPU
	IntakeTurnPixels  int64         `yaml:"intake_turn_pixels"` // a larger picture takes more than one of those; 0 = one each
	ChildNice         int           `yaml:"child_nice"`         // niceness of ffmpeg, ffprobe and yt-dlp; 0 = simvid's own
	FilesPerRequest   int           `yaml:"files_per_request"`  // pictures one upload request may carry; the rest are refused unread
	// A video clip's limits (issue 21): bytes, length, pixels a frame and frames a second.
	ClipBytes    Size          `yaml:"clip_bytes"`
	ClipDuration time.Duration `yaml:"clip_duration"`
	ClipPixels   int64         `yaml:"clip_pixels"`
	ClipFPS      int           `yaml:"clip_fps"`
}

// RateLimits are ulule/limiter formatted rates ("20-H": 20 per hour) per client IP,
// counted in Redis so they hold across every serve instance.
// Uploads are bounded by what they cost (UploadBytes, UploadPixels) more than by their count,
// since the page sends one photo per request.
type RateLimits struct {
	Enabled      bool   `yaml:"enabled"`
	Upload       string `yaml:"upload"`
	UploadBytes  string `yaml:"upload_bytes"`  // "2GB-H": bytes of upload bodies
	UploadPixels string `yaml:"upload_pixels"` // "6000MP-H": pixels of the pictures taken
	Render       string `yaml:"render"`
	Link         string `yaml:"link"` // music fetched from links
	Read         string `yaml:"read"`
	Other        string `yaml:"other"`
	OtherDaily   string `yaml:"other_daily"`
}

// Jobs tunes the queue: retries, deadlines, leases and shutdown.
type Jobs struct {
	MaxAttempts       int           `yaml:"max_attempts"`
	Backoff           time.Duration `yaml:"backoff"`            // base, doubled per attempt
	RenderTimeout     time.Duration `yaml:"render_timeout"`     // deadline of one render job
	LeaseTTL          time.Duration `yaml:"lease_ttl"`          // a running render's lease in Redis
	ReconcileInterval time.Duration `yaml:"reconcile_interval"` // how often lapsed leases are re-enqueued
	MusicWait         time.Duration `yaml:"music_wait"`         // how long a render waits in preparing for its music
	DiskWait          time.Duration `yaml:"disk_wait"`          // how long a render waits for a worker with free disk space
	ShutdownGrace     time.Duration `yaml:"shutdown_grace"`     // then ffmpeg is killed
}

// Retention says when idle projects and their files are deleted.
type Retention struct {
	ProjectTTL time.Duration `yaml:"project_ttl"` // 0 = never expire
	Interval   time.Duration `yaml:"interval"`    // how often the cleanup runs
	CacheBytes Size          `yaml:"cache_bytes"` // render cache cap, least recently used out first; 0 = no cap
}

// FFmpeg locates the binaries and bounds their use.
type FFmpeg struct {
	FFmpeg       string        `yaml:"ffmpeg"`
	FFprobe      string        `yaml:"ffprobe"`
	Threads      int           `yaml:"threads"` // 0 = ffmpeg decides
	ProbeTimeout time.Duration `yaml:"probe_timeout"`
}

// Links says where music may be fetched from links and how. yt-dlp fetches from
// AllowedHosts only; other links are fetched by simvid itself when DirectMedia is on.
type Links struct {
	YTDLP         string        `yaml:"yt_dlp"`         // binary, a name in PATH or a path
	AllowedHosts  []string      `yaml:"allowed_hosts"`  // exact or parent-domain matches
	DirectMedia   bool          `yaml:"direct_media"`   // fetch other hosts' media files in Go
	AllowNetworks []string      `yaml:"allow_networks"` // non-public CIDRs that may be dialed (tests)
	MaxBytes      Size          `yaml:"max_bytes"`
	MaxDuration   time.Duration `yaml:"max_duration"`
	Timeout       time.Duration `yaml:"timeout"` // one fetch attempt
}

// LinkCaps are the effective caps of a link fetch: the smaller of the link and upload limits.
func (c *Config) LinkCaps() (maxBytes int64, maxDuration time.Duration) {
	return int64(min(c.Links.MaxBytes, c.Limits.FileBytes)), min(c.Links.MaxDuration, c.Limits.AudioDuration)
}

// Default returns the settings used when nothing else is given. It is what
// config.example.yaml spells out (a test keeps the two equal).
func Default() *Config {
	c := &Config{
		Addr:           ":8080",
		DataDir:        "./data",
		TrustedProxies: []string{},
		MetricsAddr:    MetricsAuto,
		Log:            Log{Format: "json", Level: "info"},
		Workers:        Workers{Video: 0, Audio: 1},
		API: API{CORSOrigins: []string{}, WebhookAllow: []string{}, WebhookTimeout: 10 * time.Second,
			WebhookBackoff: 30 * time.Second, WebhookRetryFor: 24 * time.Hour},
		Limits: Limits{
			FileBytes:         25 * MiB,
			ProjectBytes:      1 * GiB,
			ImagesPerProject:  200,
			ImagePixels:       60_000_000,
			IntakeTurnPixels:  4096 * 4096, // 16.8 MP: see config.example.yaml
			AudioDuration:     20 * time.Minute,
			SlidesPerRender:   200,
			VideoDuration:     30 * time.Minute,
			UnfinishedRenders: 2,
			EventStreams:      20,
			MinFreeDisk:       512 * MiB,
			ChildNice:         10,
			FilesPerRequest:   50,
			ClipBytes:         256 * MiB,
			ClipDuration:      5 * time.Minute,
			ClipPixels:        40_000_000,
			ClipFPS:           120,
		},
		RateLimits: RateLimits{
			Enabled:      true,
			Upload:       "1000-H",
			UploadBytes:  "2GB-H",
			UploadPixels: "6000MP-H",
			Render:       "30-H",
			Link:         "30-H",
			Read:         "3000-H",
			Other:        "2000-H",
			OtherDaily:   "10000-D",
		},
		Jobs: Jobs{
			MaxAttempts:       4,
			Backoff:           2 * time.Second,
			RenderTimeout:     30 * time.Minute,
			LeaseTTL:          10 * time.Second,
			ReconcileInterval: 5 * time.Second,
			MusicWait:         5 * time.Minute,
			DiskWait:          time.Minute,
			ShutdownGrace:     30 * time.Second,
		},
		Retention: Retention{ProjectTTL: 720 * time.Hour, Interval: time.Hour, CacheBytes: 5 * GiB},
		FFmpeg:    FFmpeg{FFmpeg: "ffmpeg", FFprobe: "ffprobe", ProbeTimeout: 20 * time.Second},
		Links: Links{
			YTDLP:         "yt-dlp",
			AllowedHosts:  []string{"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com", "youtu.be"},
			AllowNetworks: []string{},
			MaxBytes:      25 * MiB,
			MaxDuration:   20 * time.Minute,
			Timeout:       5 * time.Minute,
		},
		HTTP:    HTTP{ConnsPerClient: 64, BodyTimeout: 30 * time.Second, UploadMinRate: 8 * KiB},
		Storage: defaultStorage(),
	}
	c.resolve()
	return c
}

// resolve turns the "automatic" spellings into concrete values, so that code reading a
// loaded Config never has to know them.
func (c *Config) resolve() {
	if c.Workers.Video == 0 {
		c.Workers.Video = runtime.NumCPU()
	}
	if c.Limits.IntakeConcurrency == 0 {
		c.Limits.IntakeConcurrency = runtime.NumCPU()
	}
	if c.MetricsAddr == "off" {
		c.MetricsAddr = ""
	}
	if c.TrustedProxies == nil {
		c.TrustedProxies = []string{}
	}
	if c.API.CORSOrigins == nil {
		c.API.CORSOrigins = []string{}
	}
	if c.API.WebhookAllow == nil {
		c.API.WebhookAllow = []string{}
	}
	if c.Links.AllowedHosts == nil {
		c.Links.AllowedHosts = []string{}
	}
	if c.Links.AllowNetworks == nil {
		c.Links.AllowNetworks = []string{}
	}
}
