package config

import "time"

// HTTP bounds what one client may hold of the web server, so that `simvid all` can face the
// internet without a proxy in front: open connections per address, and how slowly a request
// body may arrive.
type HTTP struct {
	// ConnsPerClient caps the connections open at once from one address (IPv6: one /64).
	// Trusted proxies are not capped: every client behind them shares the proxy's address.
	ConnsPerClient int `yaml:"conns_per_client"` // 0 = no cap
	// BodyTimeout is how long a request body other than an upload may take to arrive, and the
	// longest an upload may pause.
	BodyTimeout time.Duration `yaml:"body_timeout"`
	// UploadMinRate is the slowest an upload may average (bytes a second) once its first
	// BodyTimeout is used up: an upload takes as long as it needs at or above that rate.
	UploadMinRate Size `yaml:"upload_min_rate"`
}

func (h HTTP) check(k *checker) {
	k.notNegative("http.conns_per_client", int64(h.ConnsPerClient))
	k.duration("http.body_timeout", h.BodyTimeout)
	k.positive("http.upload_min_rate", int64(h.UploadMinRate))
}
