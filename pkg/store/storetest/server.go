package storetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// server is one running postmaster.
type server struct {
	url  string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	once sync.Once
}

// startServer runs postgres tuned for tests (no fsync, no unix socket) and waits until it
// accepts connections.
func startServer(bin, data, dir string, port int, attr *syscall.SysProcAttr) (*server, error) {
	logPath := filepath.Join(dir, "postgres-"+strconv.Itoa(port)+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=50", "-c", "shared_buffers=32MB", "-c", "logging_collector=off")
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, logFile, logFile
	sys := *attr
	// If the test binary dies without cleanup, SIGQUIT makes postgres shut down at once.
	sys.Pdeathsig = syscall.SIGQUIT
	cmd.SysProcAttr = &sys
	url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	srv := &server{url: url, cmd: cmd, done: make(chan struct{})}
	started := make(chan error, 1)
	lockedThread(func() {
		if err := cmd.Start(); err != nil {
			started <- err
			close(srv.done)
			return
		}
		started <- nil
		_ = cmd.Wait()
		close(srv.done)
	})
	if err := <-started; err != nil {
		return nil, fmt.Errorf("run postgres: %w", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-srv.done:
			return nil, fmt.Errorf("postgres exited at start:\n%s", tail(logPath))
		default:
		}
		if err := tryConnect(url); err == nil {
			return srv, nil
		} else if time.Now().After(deadline) {
			srv.stop()
			return nil, fmt.Errorf("postgres not ready after 30s: %v\n%s", err, tail(logPath))
		}
		time.Sleep(30 * time.Millisecond)
	}
}

func tryConnect(url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

// stop asks for a fast shutdown (SIGINT), then kills the server if it lingers.
func (s *server) stop() { s.once.Do(s.doStop) }

func (s *server) doStop() {
	if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		_ = s.cmd.Process.Kill()
	}
	if !waitTimeout(s.done, 10*time.Second) {
		_ = s.cmd.Process.Kill()
		waitTimeout(s.done, 5*time.Second)
	}
}
