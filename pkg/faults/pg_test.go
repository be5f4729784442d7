package faults

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/simvid/simvid/pkg/store/storetest"
	"github.com/simvid/simvid/pkg/testutil"
)

// pgServer is a throwaway PostgreSQL that, unlike storetest's, can be stopped and started
// again on the same port with the same data: the restart fault needs the rows to survive.
type pgServer struct {
	t    *testing.T
	bin  string
	data string
	port int
	attr *syscall.SysProcAttr
	cmd  *exec.Cmd
	done chan struct{}
}

// startPostgres initialises a cluster in a temp directory and starts it on a free port.
func startPostgres(t *testing.T) *pgServer {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Strings(bins)
	if len(bins) == 0 {
		testutil.Missing(t, "PostgreSQL server binaries (apt-get install postgresql-15)")
	}
	s := &pgServer{t: t, bin: filepath.Dir(bins[len(bins)-1]), attr: &syscall.SysProcAttr{}}
	dir, err := os.MkdirTemp("", "simvid-faults-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 { // initdb and postgres refuse to run as root
		u, err := user.Lookup("postgres")
		if err != nil {
			testutil.Missing(t, "the postgres OS user, to run PostgreSQL as root")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.attr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	s.data = filepath.Join(dir, "data")
	if err := storetest.InitData(s.bin, s.data, s.attr); err != nil { // initdb once a machine, copied
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// URL is the database URL of the server.
func (s *pgServer) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
}

// Start starts the server (again) and waits until it accepts connections.
func (s *pgServer) Start() {
	s.t.Helper()
	cmd := exec.Command(filepath.Join(s.bin, "postgres"), "-D", s.data, "-p", strconv.Itoa(s.port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off",
		"-c", "synchronous_commit=off", "-c", "max_connections=100", "-c", "shared_buffers=32MB")
	log := &procLog{}
	cmd.Stdout, cmd.Stderr = log, log
	attr := *s.attr
	attr.Setpgid = true
	cmd.SysProcAttr = &attr
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start postgres: %v", err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	done := s.done
	go func() { _ = cmd.Wait(); close(done) }()
	for end := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		select {
		case <-done:
			s.t.Fatalf("postgres exited at start:\n%s", log.Tail(2000))
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := pgx.Connect(ctx, s.URL())
		if err == nil {
			_ = c.Close(ctx)
			cancel()
			return
		}
		cancel()
		if time.Now().After(end) {
			s.t.Fatalf("postgres not ready after 30s: %v\n%s", err, log.Tail(2000))
		}
	}
}

// Stop shuts the server down at once (fast shutdown: clients are disconnected).
func (s *pgServer) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
	s.cmd = nil
}
