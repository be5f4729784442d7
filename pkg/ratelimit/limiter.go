package ratelimit

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"time"

	"github.com/gomodule/redigo/redis"
	"github.com/ulule/limiter/v3"
	"go.uber.org/zap"

	"github.com/simvid/simvid/pkg/simvid"
)

// Buckets: each route belongs to one; each bucket has its own counters per client.
const (
	BucketUpload = "upload"
	BucketRender = "render"
	BucketRead   = "read"
	BucketOther  = "other"
	BucketLink   = "link" // music fetched from a link: each one is a download and a transcode
)

// Config sets the limits. A rate is ulule's "N-P": N requests per P, P one of S (second),
// M (minute), H (hour), D (day); "" means no limit of that kind. The defaults are sized from
// what the page does: it uploads one photo per request and saves every small change at once,
// so a person adding 200 photos and editing for an hour stays well inside them; what an
// upload costs is bounded by UploadBytes and UploadPixels instead of its request count.
type Config struct {
	Enabled    bool
	Upload     string // "1000-H": upload requests, a flood guard
	Render     string // "30-H"
	Read       string // "3000-H"
	Other      string // "2000-H"
	OtherDaily string // "10000-D"; applies to "other" together with Other
	Link       string // "30-H": music fetched from links
	// UploadBytes ("2GB-H") and UploadPixels ("6000MP-H") bound the bytes of upload bodies
	// and the pixels of the pictures taken per client; "" = no such budget.
	UploadBytes  string
	UploadPixels string
	// Extra adds named buckets (e.g. "login": "10-M") for Allow and Middleware.
	Extra map[string]string
	// Prefix starts every key in Redis; DefaultPrefix when empty.
	Prefix string
	// Timeout bounds the Redis work of one check; past it the request gets a 503.
	Timeout time.Duration
}

// DefaultConfig returns the limits of a public install.
func DefaultConfig() Config {
	return Config{Enabled: true, Upload: "1000-H", Render: "30-H", Read: "3000-H",
		Other: "2000-H", OtherDaily: "10000-D", Link: "30-H", UploadBytes: "2GB-H", UploadPixels: "6000MP-H",
		Prefix: DefaultPrefix, Timeout: 2 * time.Second}
}

// Limiter checks clients against the configured rates, sharing counters through Redis.
type Limiter struct {
	store   *Store
	rates   map[string][]limiter.Rate
	costs   []cost // budgets of the upload bucket
	enabled bool
	timeout time.Duration
	log     *zap.Logger
}

// New checks cfg and returns a Limiter counting in the Redis behind pool. A nil log discards.
func New(pool *redis.Pool, cfg Config, log *zap.Logger) (*Limiter, error) {
	fields := []struct{ bucket, name, value string }{
		{BucketUpload, "upload", cfg.Upload},
		{BucketRender, "render", cfg.Render},
		{BucketRead, "read", cfg.Read},
		{BucketOther, "other", cfg.Other},
		{BucketOther, "other daily", cfg.OtherDaily},
		{BucketLink, "link", cfg.Link},
	}
	names := make([]string, 0, len(cfg.Extra))
	for name := range cfg.Extra {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fields = append(fields, struct{ bucket, name, value string }{name, name, cfg.Extra[name]})
	}
	rates := map[string][]limiter.Rate{}
	for _, f := range fields {
		if _, known := rates[f.bucket]; !known {
			rates[f.bucket] = nil // a bucket without rates is known and unlimited
		}
		if f.value == "" {
			continue
		}
		r, err := ParseRate(f.name, f.value)
		if err != nil {
			return nil, err
		}
		rates[f.bucket] = append(rates[f.bucket], r)
	}
	var costs []cost
	for _, c := range []struct {
		field, value string
		parse        func(field, s string) (limiter.Rate, error)
		say          func(int64) string
	}{
		{"upload_bytes", cfg.UploadBytes, ParseBytesRate, sayBytes},
		{"upload_pixels", cfg.UploadPixels, ParsePixelsRate, sayPixels},
	} {
		if c.value == "" {
			continue
		}
		r, err := c.parse(c.field, c.value)
		if err != nil {
			return nil, err
		}
		costs = append(costs, cost{field: c.field, rate: r, say: c.say})
	}
	if log == nil {
		log = zap.NewNop()
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	return &Limiter{store: NewStore(pool, cfg.Prefix), rates: rates, costs: costs, enabled: cfg.Enabled,
		timeout: timeout, log: log}, nil
}

// ParseRate reads one "N-P" rate; field names it in the error a person sees.
func ParseRate(field, s string) (limiter.Rate, error) {
	r, err := limiter.NewRateFromFormatted(s)
	if err != nil || r.Limit < 1 {
		return limiter.Rate{}, simvid.Errorf(simvid.EInvalid,
			"rate limit for %s is %q: write it as a count and a period, like 20-H (S, M, H or D), with a count of at least 1",
			field, s)
	}
	return r, nil
}

// Allow counts one hit of key (a client IP, a user name...) in bucket and returns the state
// of the tightest rate of that bucket; Reached means the hit is refused. When limiting is
// disabled or the bucket has no rate it allows everything.
func (l *Limiter) Allow(ctx context.Context, bucket, key string) (limiter.Context, error) {
	res, _, err := l.allow(ctx, bucket, key)
	return res, err
}

func (l *Limiter) allow(ctx context.Context, bucket, key string) (limiter.Context, limiter.Rate, error) {
	return l.allowRates(ctx, bucket, key, nil)
}

// allowRates is allow with own rates, when given, in place of the bucket's.
func (l *Limiter) allowRates(ctx context.Context, bucket, key string, own []limiter.Rate) (limiter.Context, limiter.Rate, error) {
	rates, ok := l.rates[bucket]
	if !ok {
		return limiter.Context{}, limiter.Rate{}, fmt.Errorf("ratelimit: unknown bucket %q", bucket)
	}
	if len(own) > 0 {
		rates = own
	}
	var (
		best     limiter.Context
		bestRate limiter.Rate
	)
	if !l.enabled {
		return best, bestRate, nil
	}
	for i, rate := range rates {
		res, err := l.store.Get(ctx, bucket+":"+periodTag(rate.Period)+":"+key, rate)
		if err != nil {
			return limiter.Context{}, limiter.Rate{}, err
		}
		if i == 0 || tighter(res, best) {
			best, bestRate = res, rate
		}
	}
	return best, bestRate, nil
}

// tighter reports whether a binds the client more than b: a refusal beats an allowance,
// the later reset among refusals, the fewer remaining among allowances.
func tighter(a, b limiter.Context) bool {
	if a.Reached != b.Reached {
		return a.Reached
	}
	if a.Reached {
		return a.Reset > b.Reset
	}
	return a.Remaining < b.Remaining
}

func periodTag(d time.Duration) string {
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}

// ClientKey turns an IP into the identity that is counted: IPv6 clients are counted per /64,
// since one home or phone usually holds a whole /64. An unparsable IP counts as "unknown".
func ClientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "unknown"
	}
	a = a.Unmap().WithZone("")
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
