package redisx_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gocraft/work"
	"github.com/gomodule/redigo/redis"

	"github.com/simvid/simvid/pkg/redisx"
	"github.com/simvid/simvid/pkg/redisx/redistest"
)

// failovers are the two ways a master goes: the sentinels move it on request (they
// disconnect its clients and make it a replica), or its process dies.
var failovers = []struct {
	name string
	do   func(s *redistest.Sentinels) (old, now string)
}{
	{"SENTINEL FAILOVER", func(s *redistest.Sentinels) (string, string) {
		old := s.MasterAddr()
		return old, s.Failover()
	}},
	{"master killed", func(s *redistest.Sentinels) (string, string) {
		old := s.KillMaster()
		return old, s.WaitNewMaster(old, 20*time.Second)
	}},
}

// TestPoolFollowsFailover: a pool whose connections all went to the first master writes to
// the new one within seconds of a failover, and afterwards every connection it lends is to
// the new master.
func TestPoolFollowsFailover(t *testing.T) {
	for _, f := range failovers {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			s := redistest.StartSentinels(t)
			const size = 6
			p := newPool(t, s.URL(), size)
			held := make([]redis.Conn, size)
			for i := range held { // fill the pool with connections to the first master
				held[i] = p.Get()
				if _, err := held[i].Do("SET", "before", i); err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range held {
				c.Close()
			}
			s.WaitReady()
			start := time.Now()
			old, now := f.do(s)
			promoted := time.Since(start)
			promotedAt := time.Now()
			// Until the sentinels convert it, a demoted master that is still alive takes writes
			// (which Redis then loses): what counts is how soon the pool writes to the new one.
			var tries int
			for ; ; tries++ {
				c := p.Get()
				_, err := c.Do("SET", "after", tries)
				c.Close()
				if err == nil && get(t, now, "after") == strconv.Itoa(tries) {
					break
				}
				// The pool asks the sentinels again every second; without that it would write
				// to the old master until the sentinels convert it, up to 10 s later.
				if time.Since(promotedAt) > 4*time.Second {
					t.Fatalf("no write reached the new master %s within 4 s of its promotion: %v", now, err)
				}
				time.Sleep(50 * time.Millisecond)
			}
			t.Logf("master %s -> %s: promoted after %v, first write through the pool to the new master after %v (%d tries before)",
				old, now, promoted.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), tries)
			for i := range held { // every connection lent now is to the new master
				held[i] = p.Get()
				port, err := redis.Strings(held[i].Do("CONFIG", "GET", "port"))
				if err != nil || "127.0.0.1:"+port[1] != now {
					t.Errorf("pooled connection %d: port %v (%v), want the new master %s", i, port, err, now)
				}
				if _, err := held[i].Do("INCR", "writes"); err != nil {
					t.Errorf("write on pooled connection %d: %v", i, err)
				}
			}
			for _, c := range held {
				c.Close()
			}
		})
	}
}

// TestGocraftWorkAcrossFailover: a worker pool and an enqueuer on a sentinel pool keep
// working when the master is killed: a job enqueued after the failover runs.
func TestGocraftWorkAcrossFailover(t *testing.T) {
	t.Parallel()
	s := redistest.StartSentinels(t)
	pool := newPool(t, s.URL(), 16)
	const ns = "simvid-failover"
	ran := make(chan string, 10)
	wp := work.NewWorkerPool(jobCtx{}, 2, ns, pool)
	wp.Job("j", func(j *work.Job) error { ran <- j.ArgString("id"); return nil })
	wp.Start()
	defer wp.Stop()
	enq := work.NewEnqueuer(ns, pool)
	if _, err := enq.Enqueue("j", work.Q{"id": "before"}); err != nil {
		t.Fatal(err)
	}
	waitJob(t, ran, "before", 10*time.Second)

	start := time.Now()
	old := s.KillMaster()
	now := s.WaitNewMaster(old, 20*time.Second)
	for {
		_, err := enq.Enqueue("j", work.Q{"id": "after"})
		if err == nil {
			break
		}
		if time.Since(start) > 20*time.Second {
			t.Fatalf("enqueue still fails 20 s after the master was killed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	enqueued := time.Since(start)
	waitJob(t, ran, "after", 15*time.Second)
	t.Logf("master %s killed; %s promoted; enqueue worked after %v, the job ran after %v",
		old, now, enqueued.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

// TestPubSubAcrossFailover: a subscriber dialed through the sentinels loses its connection
// with the killed master, dials again and receives what is published on the new one.
func TestPubSubAcrossFailover(t *testing.T) {
	t.Parallel()
	s := redistest.StartSentinels(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	subscribe := func() redis.PubSubConn {
		c, err := redisx.DialPubSub(ctx, s.URL())
		if err != nil {
			t.Fatal(err)
		}
		psc := redis.PubSubConn{Conn: c}
		if err := psc.Subscribe("ch"); err != nil {
			t.Fatal(err)
		}
		if m, ok := psc.ReceiveContext(ctx).(redis.Subscription); !ok {
			t.Fatalf("no subscribe confirmation: %#v", m)
		}
		return psc
	}
	psc := subscribe()
	old := s.KillMaster()
	if m, ok := psc.ReceiveContext(ctx).(error); !ok {
		t.Fatalf("the subscription outlived its master: %#v", m)
	}
	psc.Close()
	now := s.WaitNewMaster(old, 20*time.Second)
	psc = subscribe()
	defer psc.Close()
	p := newPool(t, s.URL(), 2)
	c := p.Get()
	defer c.Close()
	if n, err := redis.Int(c.Do("PUBLISH", "ch", "hello")); err != nil || n != 1 {
		t.Fatalf("PUBLISH on %s reached %d subscribers (%v)", now, n, err)
	}
	if m, ok := psc.ReceiveContext(ctx).(redis.Message); !ok || string(m.Data) != "hello" {
		t.Fatalf("got %#v, want the message", m)
	}
}

func waitJob(t *testing.T, ran <-chan string, id string, within time.Duration) {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case got := <-ran:
			if got == id {
				return
			}
		case <-timeout:
			t.Fatalf("job %s did not run within %v", id, within)
		}
	}
}

func get(t *testing.T, addr, key string) string {
	t.Helper()
	c, err := redis.Dial("tcp", addr, redis.DialConnectTimeout(time.Second), redis.DialReadTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	v, err := redis.String(c.Do("GET", key))
	if err != nil && err != redis.ErrNil {
		t.Fatalf("GET %s on %s: %v", key, addr, err)
	}
	return v
}

// TestSentinelPasswords: with requirepass on the Redis nodes and on the sentinels, the URL's
// password reaches the master and sentinel_password the sentinels; a wrong one is refused
// with an error that names the node or sentinel and not the password.
func TestSentinelPasswords(t *testing.T) {
	s := redistest.StartSentinelsAuth(t, "n0de-pw", "sent-pw")
	p := newPool(t, s.URL(), 2)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := p.GetContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do("SET", "k", "v"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	sc, err := redisx.DialPubSub(ctx, s.URL())
	if err != nil {
		t.Fatal(err)
	}
	sc.Close()
	for what, url := range map[string]string{
		"node password":     strings.Replace(s.URL(), "n0de-pw", "wrong-pw", 1),
		"sentinel password": strings.Replace(s.URL(), "sent-pw", "wrong-pw", 1),
	} {
		err := redisx.Ping(ctx, newPool(t, url, 1))
		if err == nil || strings.Contains(err.Error(), "wrong-pw") || !strings.Contains(err.Error(), "WRONGPASS") {
			t.Errorf("wrong %s: %v; want WRONGPASS without the password", what, err)
		}
	}
}
