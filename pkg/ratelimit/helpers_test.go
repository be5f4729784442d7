package ratelimit_test

import (
	"testing"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/redisx"
	"github.com/simvid/simvid/pkg/redisx/redistest"
)

type backend struct {
	name  string
	start func(t *testing.T) string
}

var backends = []backend{
	{"embedded", func(t *testing.T) string {
		e, err := redisx.StartEmbedded("")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(e.Close)
		return e.URL()
	}},
	{"redis-server", func(t *testing.T) string { return redistest.Start(t) }},
}

func newPool(t *testing.T, url string) *redis.Pool {
	t.Helper()
	p, err := redisx.NewPool(url, 8)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}
