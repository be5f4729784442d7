// Package apikey makes, checks and revokes the API keys programs send as
// "Authorization: Bearer sk_...", and enforces each key's quotas.
package apikey

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/simvid/simvid/pkg/ratelimit"
	"github.com/simvid/simvid/pkg/simvid"
	"github.com/simvid/simvid/pkg/store"
	"github.com/simvid/simvid/pkg/webhook"
)

// Secret prefixes: an API key's bearer secret and its webhook signing secret.
const (
	SecretPrefix  = "sk_"
	WebhookPrefix = "whsec_"
	shownPrefix   = 11 // "sk_" and 8 characters: enough to tell keys apart, useless to guess
)

// Keys is the API key service.
type Keys struct {
	Store store.Store
	// WebhookAllow is api.webhook_allow: a key's webhook_url inside another private range is
	// refused when the key is made, as the sender would refuse every call to it.
	WebhookAllow []netip.Prefix
}

// Options are what an operator sets on a key.
type Options struct {
	Name          string `json:"name"`
	WebhookURL    string `json:"webhook_url"`
	RateLimit     string `json:"rate_limit"`
	RendersPerDay int    `json:"renders_per_day"`
	StorageBytes  int64  `json:"storage_bytes"`
}

// Created is a new key with its secrets, which are never shown again.
type Created struct {
	*simvid.APIKey
	Secret        string `json:"secret"`
	WebhookSecret string `json:"webhook_secret"`
}

// Hash is what the database keeps of a secret. The secret carries 256 random bits, so a
// plain SHA-256 is enough: there is nothing to brute-force.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func randomToken(prefix string) string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("apikey: crypto/rand failed: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// Validate checks an operator's options and returns them trimmed.
func (o Options) Validate() (Options, error) {
	o.Name = strings.TrimSpace(o.Name)
	if len(o.Name) > 100 {
		return o, simvid.Errorf(simvid.EUnprocessable, "name: at most 100 characters")
	}
	if o.WebhookURL != "" {
		if err := CheckURL(o.WebhookURL); err != nil {
			return o, err
		}
	}
	if o.RateLimit != "" {
		if _, err := ratelimit.ParseRate("rate_limit", o.RateLimit); err != nil {
			return o, simvid.Errorf(simvid.EUnprocessable, "%s", simvid.ErrorMessage(err))
		}
	}
	if o.RendersPerDay < 0 || o.StorageBytes < 0 {
		return o, simvid.Errorf(simvid.EUnprocessable, "renders_per_day and storage_bytes must be 0 (no quota) or more")
	}
	return o, nil
}

// CheckURL accepts an absolute http(s) URL without credentials. Where it may connect is
// checked when it is called (pkg/webhook), since a name can resolve anywhere later.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || len(raw) > 2000 {
		return simvid.Errorf(simvid.EUnprocessable, "the webhook URL must be an absolute http or https URL without credentials")
	}
	return nil
}

// Create makes a key. Its secret and webhook secret are in the answer and nowhere else.
func (k *Keys) Create(ctx context.Context, o Options) (*Created, error) {
	o, err := o.Validate()
	if err != nil {
		return nil, err
	}
	if o.WebhookURL != "" {
		if err := webhook.CheckTarget(ctx, o.WebhookURL, k.WebhookAllow); err != nil {
			return nil, simvid.Errorf(simvid.EUnprocessable, "webhook_url: %s", err.Error())
		}
	}
	secret := randomToken(SecretPrefix)
	key := &simvid.APIKey{
		ID: simvid.NewID(simvid.PrefixKey), Name: o.Name, Prefix: secret[:shownPrefix], Hash: Hash(secret),
		WebhookURL: o.WebhookURL, WebhookSecret: randomToken(WebhookPrefix), RateLimit: o.RateLimit,
		RendersPerDay: o.RendersPerDay, StorageBytes: o.StorageBytes, CreatedAt: time.Now().UTC(),
	}
	if err := k.Store.CreateAPIKey(ctx, key); err != nil {
		return nil, err
	}
	return &Created{APIKey: key, Secret: secret, WebhookSecret: key.WebhookSecret}, nil
}

// Revoke ends a key at once; its projects stay, reachable by no key.
func (k *Keys) Revoke(ctx context.Context, id string) (*simvid.APIKey, error) {
	if !simvid.ValidID(simvid.PrefixKey, id) {
		return nil, simvid.Errorf(simvid.ENotFound, "API key not found")
	}
	now := time.Now().UTC()
	return k.Store.UpdateAPIKey(ctx, id, func(key *simvid.APIKey) error {
		if key.RevokedAt == nil {
			key.RevokedAt = &now
		}
		return nil
	})
}

// ErrBadKey is the answer to a missing, unknown or revoked key: the same for all three.
var ErrBadKey = simvid.Errorf(simvid.EUnauthorized, "the API key is not valid: send Authorization: Bearer sk_... with a key the admin created")

// Authenticate returns the live key whose secret is given.
func (k *Keys) Authenticate(ctx context.Context, secret string) (*simvid.APIKey, error) {
	if !strings.HasPrefix(secret, SecretPrefix) || len(secret) > 100 {
		return nil, ErrBadKey
	}
	key, err := k.Store.GetAPIKeyByHash(ctx, Hash(secret))
	if simvid.IsCode(err, simvid.ENotFound) {
		return nil, ErrBadKey
	}
	if err != nil {
		return nil, err
	}
	if key.RevokedAt != nil {
		return nil, ErrBadKey
	}
	if key.LastUsedAt == nil || time.Since(*key.LastUsedAt) > time.Minute {
		now := time.Now().UTC()
		_, _ = k.Store.UpdateAPIKey(ctx, key.ID, func(k *simvid.APIKey) error { k.LastUsedAt = &now; return nil })
	}
	return key, nil
}

// CheckRender refuses a render past the key's renders-per-day quota (the last 24 hours).
func (k *Keys) CheckRender(ctx context.Context, key *simvid.APIKey) error {
	if key == nil || key.RendersPerDay <= 0 {
		return nil
	}
	u, err := k.Store.APIKeyUsage(ctx, key.ID, time.Now().Add(-24*time.Hour))
	if err != nil {
		return err
	}
	if u.Renders >= key.RendersPerDay {
		return simvid.Errorf(simvid.EQuota, "this API key's quota of %d renders per day is used up", key.RendersPerDay)
	}
	return nil
}

// CheckStorage refuses an upload of adding bytes that would take the key's projects past its
// storage quota.
func (k *Keys) CheckStorage(ctx context.Context, key *simvid.APIKey, adding int64) error {
	left, refusal, err := k.StorageRoom(ctx, key)
	if err != nil {
		return err
	}
	if refusal != nil && max(adding, 0) > left {
		return refusal
	}
	return nil
}

// StorageRoom is how many bytes the key may still store, and the error that refuses more;
// refusal is nil when the key has no storage quota. A body streamed in (no Content-Length)
// is counted against left as it arrives.
func (k *Keys) StorageRoom(ctx context.Context, key *simvid.APIKey) (left int64, refusal error, err error) {
	if key == nil || key.StorageBytes <= 0 {
		return 0, nil, nil
	}
	u, err := k.Store.APIKeyUsage(ctx, key.ID, time.Now())
	if err != nil {
		return 0, nil, err
	}
	return key.StorageBytes - u.Bytes, simvid.Errorf(simvid.EQuota, "this API key's storage quota of %s would be exceeded (%s in use)",
		sizeText(key.StorageBytes), sizeText(u.Bytes)), nil
}

// sizeText spells a byte count for people: "1.5 MiB", "976.6 KiB", "12 bytes".
func sizeText(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size {
			return strconv.FormatFloat(math.Round(float64(n)/float64(u.size)*10)/10, 'f', -1, 64) + " " + u.name
		}
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
