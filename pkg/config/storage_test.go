package config

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestStorageValidation(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Storage)
		want   string // "" = valid
	}{
		{"default: the data directory", func(*Storage) {}, ""},
		{"bucket", func(s *Storage) { s.URL = "s3://media/simvid?endpoint=http://127.0.0.1:9000" }, ""},
		{"stream", func(s *Storage) { s.Serve = ServeStream }, ""},
		{"scheme", func(s *Storage) { s.URL = "https://media" }, "storage.url: scheme must be s3://"},
		{"endpoint", func(s *Storage) { s.URL = "s3://media?endpoint=minio:9000" }, `storage.url: endpoint "minio:9000" must start with http:// or https://`},
		{"typo", func(s *Storage) { s.URL = "s3://media?pathstyle=true" }, "storage.url: unknown parameter pathstyle"},
		{"keys in url", func(s *Storage) { s.URL = "s3://AKID:topsecret@media" }, "storage.url: credentials do not go in the URL"},
		{"serve", func(s *Storage) { s.Serve = "proxy" }, "storage.serve: must be one of redirect, stream"},
		{"cache", func(s *Storage) { s.CacheBytes = 0 }, "storage.cache_bytes: must be positive"},
		{"ttl long", func(s *Storage) { s.PresignTTL = 8 * 24 * time.Hour }, "storage.presign_ttl: must be from 1s to 168h"},
		{"ttl zero", func(s *Storage) { s.PresignTTL = 0 }, "storage.presign_ttl:"},
	}
	for _, tt := range tests {
		c := Default()
		tt.change(&c.Storage)
		err := c.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		case err != nil && strings.Contains(err.Error(), "topsecret"):
			t.Errorf("%s: error repeats a secret: %v", tt.name, err)
		}
	}
}

func TestStorageFromEnvironment(t *testing.T) {
	env := map[string]string{
		"SIMVID_STORAGE_URL":         "s3://media/p?endpoint=http://127.0.0.1:9000",
		"SIMVID_STORAGE_CACHE_BYTES": "2GiB",
		"SIMVID_STORAGE_SERVE":       "stream",
		"SIMVID_STORAGE_PRESIGN_TTL": "5m",
	}
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	BindFlags(fs)
	c, err := Load(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	want := Storage{URL: env["SIMVID_STORAGE_URL"], CacheBytes: 2 * GiB, Serve: ServeStream, PresignTTL: 5 * time.Minute}
	if c.Storage != want {
		t.Fatalf("storage %+v, want %+v", c.Storage, want)
	}
}
