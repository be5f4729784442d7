package redistest

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"
)

// MasterName is the name the sentinels of StartSentinels monitor.
const MasterName = "simvid"

// Timings of the test sentinels: a master that misses pings for a second is down, and a
// failover that stalls is retried soon. Production keeps Redis's defaults (30 s, 3 min).
const (
	downAfter       = 1000 * time.Millisecond
	failoverTimeout = 4000 * time.Millisecond
)

// Sentinels is a master, one replica of it and three sentinels watching them (quorum 2), all
// redis-server processes on free loopback ports, killed when the test ends.
type Sentinels struct {
	t         testing.TB
	Nodes     []*Server // the data nodes: Nodes[0] starts as the master
	Sentinels []*Server

	password, sentinelPassword string
}

// StartSentinels starts the set and returns once every sentinel knows the master; call
// WaitReady before a failover. The test is skipped, loudly, without redis-server.
func StartSentinels(t testing.TB) *Sentinels {
	t.Helper()
	return StartSentinelsAuth(t, "", "")
}

// StartSentinelsAuth is StartSentinels with passwords: password on the Redis nodes
// (requirepass, and masterauth for the replica), sentinelPassword on the sentinels; "" for
// none. URL carries both.
func StartSentinelsAuth(t testing.TB, password, sentinelPassword string) *Sentinels {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("SKIPPING: redis-server is not on PATH; install it (apt-get install redis-server) to run this test")
	}
	var auth []string
	if password != "" {
		auth = []string{"--requirepass", password, "--masterauth", password}
	}
	// Diskless sync without its default 5 s delay attaches a replica at once.
	fast := []string{"--repl-diskless-sync-delay", "0"}
	master := newServer(t, bin, slices.Concat(auth, fast)...)
	master.StartFree(t, nil)
	// The replica is attached before the sentinels start, so their first INFO of the master
	// already lists it.
	replica := newServer(t, bin, slices.Concat([]string{"--replicaof", "127.0.0.1", fmt.Sprint(master.Port)}, auth, fast)...)
	replica.StartFree(t, nil)
	s := &Sentinels{t: t, Nodes: []*Server{master, replica}, password: password, sentinelPassword: sentinelPassword}
	t.Cleanup(func() {
		if t.Failed() { // the sentinels' events say why a failover did not happen
			for _, sen := range s.Sentinels {
				t.Logf("--- sentinel %s ---\n%s", sen.Addr(), sen.Log())
			}
		}
	})
	waitFor(t, 10*time.Second, "the replica's link to the master", func() bool {
		info, _ := redis.String(call(replica.Addr(), password, "INFO", "replication"))
		return strings.Contains(info, "master_link_status:up")
	})
	for range 3 {
		sen := newServer(t, bin)
		sen.conf = filepath.Join(sen.dir, "sentinel.conf")
		sen.StartFree(t, func() error {
			conf := fmt.Sprintf("port %d\nbind 127.0.0.1\ndaemonize no\ndir %s\nloglevel notice\n"+
				"sentinel monitor %s 127.0.0.1 %d 2\n"+
				"sentinel down-after-milliseconds %s %d\nsentinel failover-timeout %s %d\n",
				sen.Port, sen.dir, MasterName, master.Port, MasterName, downAfter.Milliseconds(), MasterName, failoverTimeout.Milliseconds())
			if password != "" {
				conf += fmt.Sprintf("sentinel auth-pass %s %s\n", MasterName, password)
			}
			if sentinelPassword != "" { // the sentinels also use it with each other
				conf += fmt.Sprintf("requirepass %s\n", sentinelPassword)
			}
			return os.WriteFile(sen.conf, []byte(conf), 0o600) // a sentinel rewrites its file
		})
		s.Sentinels = append(s.Sentinels, sen)
	}
	return s
}

// URL is the redis+sentinel:// URL naming the three sentinels, database 0.
func (s *Sentinels) URL() string {
	addrs := make([]string, len(s.Sentinels))
	for i, sen := range s.Sentinels {
		addrs[i] = sen.Addr()
	}
	u := "redis+sentinel://" + strings.Join(addrs, ",") + "/" + MasterName + "/0"
	if s.password != "" {
		u = strings.Replace(u, "://", "://:"+url.PathEscape(s.password)+"@", 1)
	}
	if s.sentinelPassword != "" {
		u += "?sentinel_password=" + url.QueryEscape(s.sentinelPassword)
	}
	return u
}

// MasterAddr is the master's host:port as the first sentinel that answers names it.
func (s *Sentinels) MasterAddr() string {
	s.t.Helper()
	for _, sen := range s.Sentinels {
		if a, err := redis.Strings(call(sen.Addr(), s.sentinelPassword, "SENTINEL", "get-master-addr-by-name", MasterName)); err == nil && len(a) == 2 {
			return net.JoinHostPort(a[0], a[1])
		}
	}
	s.t.Fatal("redistest: no sentinel names a master")
	return ""
}

// Node returns the data node listening on addr.
func (s *Sentinels) Node(addr string) *Server {
	s.t.Helper()
	for _, n := range s.Nodes {
		if n.Addr() == addr {
			return n
		}
	}
	s.t.Fatalf("redistest: no data node at %s", addr)
	return nil
}

// WaitReady waits until every sentinel sees the two others and the replica: before that a
// failover cannot reach a quorum or finds no replica to promote. Sentinels find each other
// through hello messages every 2 s.
func (s *Sentinels) WaitReady() {
	s.t.Helper()
	waitFor(s.t, 15*time.Second, "the sentinels to see each other and the replica", func() bool {
		for _, sen := range s.Sentinels {
			m, err := redis.StringMap(call(sen.Addr(), s.sentinelPassword, "SENTINEL", "MASTER", MasterName))
			if err != nil || m["num-other-sentinels"] != "2" || m["num-slaves"] != "1" || m["flags"] != "master" {
				return false
			}
		}
		return true
	})
}

// Failover asks a sentinel to fail over now (SENTINEL FAILOVER) and returns the new master's
// address once the sentinels name it and it answers as master.
func (s *Sentinels) Failover() string {
	s.t.Helper()
	s.WaitReady()
	old := s.MasterAddr()
	if _, err := call(s.Sentinels[0].Addr(), s.sentinelPassword, "SENTINEL", "FAILOVER", MasterName); err != nil {
		s.t.Fatalf("redistest: SENTINEL FAILOVER: %v", err)
	}
	return s.WaitNewMaster(old, 15*time.Second)
}

// KillMaster kills the master's process, as a crash would, and returns its address; the
// sentinels notice after downAfter and promote the replica (WaitNewMaster).
func (s *Sentinels) KillMaster() string {
	s.t.Helper()
	s.WaitReady()
	old := s.MasterAddr()
	s.Node(old).Stop()
	return old
}

// WaitNewMaster waits until the sentinels name a master other than old and it answers ROLE
// as master, and returns its address.
func (s *Sentinels) WaitNewMaster(old string, within time.Duration) string {
	s.t.Helper()
	var now string
	waitFor(s.t, within, "the sentinels to promote a new master", func() bool {
		now = s.MasterAddr()
		if now == old {
			return false
		}
		role, err := redis.Values(call(now, s.password, "ROLE"))
		return err == nil && len(role) > 0 && fmt.Sprintf("%s", role[0]) == "master"
	})
	return now
}

func waitFor(t testing.TB, within time.Duration, what string, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(within); !ok(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("redistest: waited %v for %s", within, what)
		}
	}
}

// call runs one command on a fresh connection to addr, with password when not "".
func call(addr, password, cmd string, args ...any) (any, error) {
	c, err := redis.Dial("tcp", addr, redis.DialConnectTimeout(time.Second),
		redis.DialReadTimeout(2*time.Second), redis.DialWriteTimeout(time.Second), redis.DialPassword(password))
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.Do(cmd, args...)
}
