// Package storetest gives tests a real, throwaway PostgreSQL: a server started in a temp
// directory on a free loopback port (or SIMVID_TEST_DATABASE_URL), stopped at cleanup.
package storetest

import (
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// EnvURL names an existing PostgreSQL to test against instead of starting one; each
// StartPostgres call then gets a fresh schema in it, dropped at cleanup.
const EnvURL = "SIMVID_TEST_DATABASE_URL"

// StartPostgres returns the URL of an empty PostgreSQL database that lives until the test
// ends: a schema of SIMVID_TEST_DATABASE_URL when that is set, else a fresh local server.
// It skips the test, loudly, when neither is available. A package with many tests can
// start one server in its top-level test and give each subtest a FreshSchema of it.
func StartPostgres(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(EnvURL); u != "" {
		return FreshSchema(t, u)
	}
	return StartServer(t).URL
}

// Server is a local PostgreSQL started for one test.
type Server struct {
	URL  string // postgres://postgres@127.0.0.1:port/postgres?sslmode=disable, trust auth
	proc *server
}

// Stop shuts the server down now (to test an unavailable database); it is also done at
// cleanup, and a second call does nothing.
func (s *Server) Stop() { s.proc.stop() }

// StartServer starts a throwaway PostgreSQL in a temp directory on a free loopback port,
// tuned for tests (no fsync), stopped and removed at cleanup. It always starts a local
// server, whatever SIMVID_TEST_DATABASE_URL says; it skips the test, loudly, when no
// PostgreSQL binaries are installed.
func StartServer(t testing.TB) *Server {
	t.Helper()
	bin := binDir()
	if bin == "" {
		t.Skip("SKIPPING: PostgreSQL test needs initdb and postgres " +
			"(apt-get install postgresql-15) or " + EnvURL)
	}
	dir, err := os.MkdirTemp("", "simvid-pg-")
	if err != nil {
		t.Fatalf("storetest: temp dir: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	attr := &syscall.SysProcAttr{}
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root.
		cred, err := postgresUser()
		if err != nil {
			t.Skipf("SKIPPING: PostgreSQL test runs as root and needs the postgres OS user: %v", err)
		}
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			t.Fatalf("storetest: chown temp dir: %v", err)
		}
		attr.Credential = cred
	}
	data := filepath.Join(dir, "data")
	if err := InitData(bin, data, attr); err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for range 3 { // a free port can be taken between probing and binding it
		port, err := freePort()
		if err != nil {
			t.Fatalf("storetest: free port: %v", err)
		}
		srv, err := startServer(bin, data, dir, port, attr)
		if err != nil {
			lastErr = err
			continue
		}
		t.Cleanup(srv.stop)
		return &Server{URL: srv.url, proc: srv}
	}
	t.Fatalf("storetest: start postgres: %v", lastErr)
	return nil
}

// binDir finds the PostgreSQL server binaries: PATH first, then the newest Debian install.
func binDir() string {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("postgres"); err == nil {
			return filepath.Dir(p)
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if isFile(filepath.Join(d, "initdb")) && isFile(filepath.Join(d, "postgres")) {
			return d
		}
	}
	return ""
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func postgresUser() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, err
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail returns the end of a log file for a failure message.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	s := string(b)
	if len(s) > 2000 {
		s = s[len(s)-2000:]
	}
	return strings.TrimSpace(s)
}

// lockedThread runs f on a goroutine locked to its OS thread until f returns, so that a
// child started in f with Pdeathsig is signalled when this thread, not a random one, ends.
func lockedThread(f func()) {
	go func() {
		runtime.LockOSThread()
		f()
	}()
}

// waitTimeout waits for done or the timeout.
func waitTimeout(done <-chan struct{}, d time.Duration) bool {
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}
