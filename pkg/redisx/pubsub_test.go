package redisx_test

import (
	"context"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/redisx"
)

func TestPublishSubscribe(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			url := b.start(t)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			sc, err := redisx.DialPubSub(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			psc := redis.PubSubConn{Conn: sc}
			defer psc.Close()
			if err := psc.Subscribe("progress:r1"); err != nil {
				t.Fatal(err)
			}
			if s, ok := psc.ReceiveContext(ctx).(redis.Subscription); !ok || s.Kind != "subscribe" {
				t.Fatalf("first reply is not the subscribe confirmation: %#v", s)
			}
			// PING in subscribed mode is how a long-lived subscriber checks its connection.
			if err := psc.Ping("hb"); err != nil {
				t.Fatal(err)
			}
			if p, ok := psc.ReceiveContext(ctx).(redis.Pong); !ok || p.Data != "hb" {
				t.Fatalf("ping in subscribed mode: got %#v", p)
			}

			p := newPool(t, url, 2)
			c := p.Get()
			defer c.Close()
			n, err := redis.Int(c.Do("PUBLISH", "progress:r1", `{"pct":42}`))
			if err != nil || n != 1 {
				t.Fatalf("PUBLISH reached %d subscribers, err %v", n, err)
			}
			switch m := psc.ReceiveContext(ctx).(type) {
			case redis.Message:
				if m.Channel != "progress:r1" || string(m.Data) != `{"pct":42}` {
					t.Fatalf("got message %s %q", m.Channel, m.Data)
				}
			default:
				t.Fatalf("want a message, got %#v", m)
			}
		})
	}
}
