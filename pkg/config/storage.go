package config

import (
	"strings"
	"time"

	"github.com/simvid/simvid/pkg/objstore"
)

// Storage says where the files that outlive a job live: the data directory (URL empty), or
// an S3-compatible bucket, with the data directory as each host's scratch space.
type Storage struct {
	// URL is s3://BUCKET/PREFIX?endpoint=http://host:port&region=R&path_style=true|false;
	// the credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.
	URL string `yaml:"url"` // "" = the data directory
	// CacheBytes bounds this host's local copies of objects ffmpeg reads.
	CacheBytes Size `yaml:"cache_bytes"`
	// Serve is how outputs reach clients: a redirect to a presigned URL, or streamed through
	// serve (for a store clients cannot reach).
	Serve      string        `yaml:"serve"` // redirect | stream
	PresignTTL time.Duration `yaml:"presign_ttl"`
}

// Storage.Serve values.
const (
	ServeRedirect = "redirect"
	ServeStream   = "stream"
)

func defaultStorage() Storage {
	return Storage{CacheBytes: 10 * GiB, Serve: ServeRedirect, PresignTTL: 15 * time.Minute}
}

func (s Storage) check(k *checker) {
	if s.URL != "" {
		if _, err := objstore.Parse(s.URL); err != nil {
			k.fail("storage.url", "%s", strings.TrimPrefix(err.Error(), "storage url: "))
		}
	}
	k.positive("storage.cache_bytes", int64(s.CacheBytes))
	k.oneOf("storage.serve", s.Serve, ServeRedirect, ServeStream)
	if s.PresignTTL < time.Second || s.PresignTTL > 7*24*time.Hour {
		k.fail("storage.presign_ttl", "must be from 1s to 168h (what S3 allows)")
	}
}
