package testutil

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Daemon is a server process a test owns (redis-server, versitygw): started on a free
// loopback port, killed as a crash would kill it (Stop), started again on the same port
// (Start), and killed when the test ends or the test binary dies.
type Daemon struct {
	Name string // for messages: "redis-server"
	Port int
	// Command returns the command of one run (called for each start, with Port set).
	Command func() *exec.Cmd
	// Ready reports nil once the process serves; it is asked until ReadyWithin has passed.
	Ready       func() error
	ReadyWithin time.Duration

	t   testing.TB
	mu  sync.Mutex
	cmd *exec.Cmd
	log *LogBuffer // of the current run
}

// LogBuffer collects a process's output; exec writes it from its own goroutine.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// StartFree starts d on a free loopback port (trying another when one is taken between the
// probe and the bind); prepare, if any, runs first for each port tried. It fails the test
// when the server will not start.
func (d *Daemon) StartFree(t testing.TB, prepare func() error) {
	t.Helper()
	d.t = t
	t.Cleanup(d.kill)
	var lastErr error
	for range 5 {
		if d.Port, lastErr = FreePort(); lastErr != nil {
			continue
		}
		if prepare != nil {
			if lastErr = prepare(); lastErr != nil {
				continue
			}
		}
		if lastErr = d.run(); lastErr == nil {
			return
		}
	}
	t.Fatalf("could not start %s: %v", d.Name, lastErr)
}

// Addr is the server's host:port.
func (d *Daemon) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(d.Port)) }

// Log is the output of the current (or last) run.
func (d *Daemon) Log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.log == nil {
		return ""
	}
	return d.log.String()
}

// Stop kills the server at once, as a crash would, and returns once its port is closed.
func (d *Daemon) Stop() {
	d.t.Helper()
	d.kill()
}

// Start starts the server again on the same port; it fails the test if it cannot.
func (d *Daemon) Start() {
	d.t.Helper()
	d.mu.Lock()
	running := d.cmd != nil
	d.mu.Unlock()
	if running {
		return
	}
	var err error
	for range 20 { // the old socket may linger a moment after the kill
		if err = d.run(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	d.t.Fatalf("restart %s on %s: %v", d.Name, d.Addr(), err)
}

func (d *Daemon) run() error {
	out := &LogBuffer{}
	cmd := d.Command()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", d.Name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	d.mu.Lock()
	d.cmd, d.log = cmd, out
	d.mu.Unlock()
	deadline := time.Now().Add(d.ReadyWithin)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			d.mu.Lock()
			d.cmd = nil
			d.mu.Unlock()
			return fmt.Errorf("%s exited (%v): %s", d.Name, err, out.String())
		default:
		}
		if d.Ready() == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	d.kill()
	return fmt.Errorf("%s on %s did not answer within %v: %s", d.Name, d.Addr(), d.ReadyWithin, out.String())
}

func (d *Daemon) kill() {
	d.mu.Lock()
	cmd := d.cmd
	d.cmd = nil
	d.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Kill()
	for range 100 { // until the port is closed, so "down" is really down
		c, err := net.DialTimeout("tcp", d.Addr(), 50*time.Millisecond)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
