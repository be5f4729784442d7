package redisx_test

import (
	"testing"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/redisx"
	"github.com/simvid/simvid/pkg/redisx/redistest"
)

// backend starts one kind of Redis for a test and returns its URL.
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
	// Through three sentinels to a master with a replica: every pool test holds there too.
	{"sentinel", func(t *testing.T) string { return redistest.StartSentinels(t).URL() }},
}

func newPool(t *testing.T, url string, maxActive int) *redis.Pool {
	t.Helper()
	p, err := redisx.NewPool(url, maxActive)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}
