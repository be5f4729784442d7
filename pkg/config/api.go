package config

import (
	"net/url"
	"strings"
)

func (a API) check(k *checker) {
	for _, o := range a.CORSOrigins {
		if o == "*" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.TrimSuffix(u.Path, "/") != "" ||
			u.RawQuery != "" || u.User != nil {
			k.fail("api.cors_origins", "%q is not an origin (write it like https://app.example.com, or * for any)", o)
		}
	}
	for _, p := range a.WebhookAllow {
		if _, err := parseProxy(p); err != nil {
			k.fail("api.webhook_allow", "%q is not a CIDR or IP", p)
		}
	}
	k.duration("api.webhook_timeout", a.WebhookTimeout)
	k.duration("api.webhook_backoff", a.WebhookBackoff)
	k.notNegative("api.webhook_retry_for", int64(a.WebhookRetryFor))
}
