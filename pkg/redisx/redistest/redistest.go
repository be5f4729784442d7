// Package redistest starts a real redis-server on a free loopback port for tests, and can
// stop and start it again on the same port so fault tests can take Redis away.
package redistest

import (
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"
	"github.com/simvid/simvid/pkg/testutil"
)

// Server is one redis-server process owned by a test. Data is never persisted, so Start
// after Stop gives an empty Redis on the same address.
type Server struct {
	testutil.Daemon
	t   testing.TB
	bin string
	dir string
	// extra is appended to a data node's arguments (--replicaof); conf, when set, is the
	// configuration file of a sentinel, which runs with it alone (redis-server FILE --sentinel).
	extra []string
	conf  string
}

// newServer returns a Server of bin in a fresh directory, not started yet.
func newServer(t testing.TB, bin string, extra ...string) *Server {
	s := &Server{t: t, bin: bin, dir: t.TempDir(), extra: extra}
	s.Daemon = testutil.Daemon{Name: "redis-server", ReadyWithin: 10 * time.Second, Command: s.command,
		Ready: func() error { return ping(s.Addr()) }}
	return s
}

func (s *Server) command() *exec.Cmd {
	args := []string{s.conf, "--sentinel"}
	if s.conf == "" {
		args = append([]string{
			"--port", strconv.Itoa(s.Port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", s.dir,
			"--daemonize", "no", "--loglevel", "warning", "--databases", "16"}, s.extra...)
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dir
	return cmd
}

// Start starts redis-server and returns its redis:// URL; it is killed when the test ends.
// The test is skipped, loudly, when redis-server is not installed.
func Start(t testing.TB) string {
	t.Helper()
	return StartServer(t).URL()
}

// StartServer is Start returning the handle, for tests that stop and restart Redis.
func StartServer(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("SKIPPING: redis-server is not on PATH; install it (apt-get install redis-server) to run this test")
	}
	s := newServer(t, bin)
	s.StartFree(t, nil)
	return s
}

// URL is the redis:// URL of the server (database 0).
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

func ping(addr string) error {
	c, err := redis.Dial("tcp", addr, redis.DialConnectTimeout(time.Second),
		redis.DialReadTimeout(time.Second), redis.DialWriteTimeout(time.Second))
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Do("PING")
	if _, answered := err.(redis.Error); answered {
		return nil // NOAUTH: a server with requirepass is up all the same
	}
	return err
}
