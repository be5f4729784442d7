// Package redistest starts a real redis-server on a free loopback port for tests, and can
// stop and start it again on the same port so fault tests can take Redis away.
package redistest

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"
)

// Server is one redis-server process owned by a test. Data is never persisted, so Start
// after Stop gives an empty Redis on the same address.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	// extra is appended to a data node's arguments (--replicaof); conf, when set, is the
	// configuration file of a sentinel, which runs with it alone (redis-server FILE --sentinel).
	extra []string
	conf  string
	log   *logBuffer // of the current process

	mu  sync.Mutex
	cmd *exec.Cmd
}

// logBuffer collects redis-server's output; exec writes it from its own goroutine.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
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
	s := &Server{t: t, bin: bin, dir: t.TempDir()}
	s.startFree(nil)
	return s
}

// startFree starts s on a free port; prepare, if any, runs first for each port tried.
func (s *Server) startFree(prepare func() error) {
	s.t.Helper()
	s.t.Cleanup(s.kill)
	var lastErr error
	// Another process may take the free port between our probe and redis binding it.
	for range 5 {
		if s.port, lastErr = freePort(); lastErr != nil {
			continue
		}
		if prepare != nil {
			if lastErr = prepare(); lastErr != nil {
				continue
			}
		}
		if lastErr = s.start(); lastErr == nil {
			return
		}
	}
	s.t.Fatalf("redistest: could not start redis-server: %v", lastErr)
}

// URL is the redis:// URL of the server (database 0).
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// Addr is the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Stop kills the server at once, as a crash would: clients see their connections drop.
func (s *Server) Stop() {
	s.t.Helper()
	s.kill()
}

// Start starts the server again on the same port, empty; it fails the test if it cannot.
func (s *Server) Start() {
	s.t.Helper()
	s.mu.Lock()
	running := s.cmd != nil
	s.mu.Unlock()
	if running {
		return
	}
	var err error
	// The old socket may linger a moment after the kill.
	for range 20 {
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("redistest: restart redis-server on %s: %v", s.Addr(), err)
}

func (s *Server) start() error {
	out := &logBuffer{}
	s.log = out
	args := []string{s.conf, "--sentinel"}
	if s.conf == "" {
		args = append([]string{
			"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", s.dir,
			"--daemonize", "no", "--loglevel", "warning", "--databases", "16"}, s.extra...)
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", s.bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			s.mu.Lock()
			s.cmd = nil
			s.mu.Unlock()
			return fmt.Errorf("redis-server exited (%v): %s", err, out.String())
		default:
		}
		if ping(s.Addr()) == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.kill()
	return fmt.Errorf("redis-server on %s did not answer PING within 10s: %s", s.Addr(), out.String())
}

func (s *Server) kill() {
	s.mu.Lock()
	cmd := s.cmd
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Kill()
	// Wait until the port is closed so a restart or a "Redis down" test sees it gone.
	for range 100 {
		c, err := net.DialTimeout("tcp", s.Addr(), 50*time.Millisecond)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
}

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

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
