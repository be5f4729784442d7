package simvid

import "time"

// PrefixKey starts the id of an API key (the secret itself starts with "sk_").
const PrefixKey = "key"

// APIKey is a program's credential. Only the SHA-256 of its secret is kept; Prefix is the
// start of the secret, shown so people can tell their keys apart.
type APIKey struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	Prefix        string     `json:"prefix"`
	Hash          string     `json:"-"`
	WebhookURL    string     `json:"webhook_url"`
	WebhookSecret string     `json:"-"`               // signs webhook calls; shown once, at creation
	RateLimit     string     `json:"rate_limit"`      // "600-M": replaces the per-IP rates; "" = the per-IP rates, counted per key
	RendersPerDay int        `json:"renders_per_day"` // 0 = no quota
	StorageBytes  int64      `json:"storage_bytes"`   // bytes of uploads over all its projects; 0 = no quota
	CreatedAt     time.Time  `json:"created_at"`
	RevokedAt     *time.Time `json:"revoked_at"`
	LastUsedAt    *time.Time `json:"last_used_at"`
}

// WebhookDelivery is one attempt to call a render's webhook.
type WebhookDelivery struct {
	ID         int64      `json:"id"`
	RenderID   string     `json:"render_id"`
	Event      string     `json:"event"` // render.done, render.failed, render.canceled
	URL        string     `json:"url"`
	Attempt    int        `json:"attempt"`
	At         time.Time  `json:"at"`
	Status     int        `json:"status"` // HTTP status; 0 when no answer came
	Error      string     `json:"error"`
	DurationMS int64      `json:"duration_ms"`
	NextAt     *time.Time `json:"next_at"` // the next attempt, if one is planned
}
