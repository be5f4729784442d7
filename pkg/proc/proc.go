// Package proc holds what simvid does the same way for every child process it runs (ffmpeg,
// ffprobe, yt-dlp): a process group killed whole on cancel, and the tail of its output kept
// for error messages.
package proc

import (
	"context"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Command is exec.CommandContext with the child in its own process group, so that cancelling
// ctx kills the whole tree at once, and with Pdeathsig, so that a killed simvid leaves no
// child behind.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	return cmd
}

// Tail keeps the last Max bytes written to it; safe for concurrent use.
type Tail struct {
	Max int
	mu  sync.Mutex
	buf []byte
}

func (t *Tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.Max; over > 0 {
		t.buf = t.buf[over:]
	}
	return len(p), nil
}

func (t *Tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
