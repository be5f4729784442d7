package redistest_test

import (
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/redisx/redistest"
)

func TestStopStartKeepsAddressAndDropsData(t *testing.T) {
	s := redistest.StartServer(t)
	addr := s.Addr()
	do := func(cmd string, args ...any) (any, error) {
		c, err := redis.DialURL(s.URL(), redis.DialConnectTimeout(time.Second))
		if err != nil {
			return nil, err
		}
		defer c.Close()
		return c.Do(cmd, args...)
	}
	if _, err := do("SET", "k", "v"); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if _, err := do("PING"); err == nil {
		t.Fatal("PING answered after Stop")
	}
	s.Start()
	if s.Addr() != addr {
		t.Fatalf("restarted on %s, want %s", s.Addr(), addr)
	}
	if n, err := redis.Int(do("EXISTS", "k")); err != nil || n != 0 {
		t.Fatalf("after restart EXISTS k = %d, %v; want an empty Redis", n, err)
	}
}

func TestTwoServersGetDifferentPorts(t *testing.T) {
	a, b := redistest.Start(t), redistest.Start(t)
	if a == b {
		t.Fatalf("both servers at %s", a)
	}
}
