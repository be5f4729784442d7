// Package proc holds what simvid does the same way for every child process it runs (ffmpeg,
// ffprobe, yt-dlp): a process group killed whole on cancel, a lower CPU priority, and the
// tail of its output kept for error messages.
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

// Start starts cmd, made by Command, and gives its whole process group the niceness nice
// (0: the child keeps simvid's own), so that on a shared host the web requests of simvid
// and of its neighbours win the CPU from encoders. PRIO_PGRP reaches every thread of every
// process in the group, and threads and processes started later inherit the niceness of
// their creator, so only the first instant of the child runs at simvid's priority. A child
// that already runs nicer than nice (simvid itself started with nice) is left as it is:
// the setting never raises a priority.
func Start(cmd *exec.Cmd, nice int) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	if nice <= 0 {
		return nil
	}
	pid := cmd.Process.Pid
	// The raw getpriority system call answers 20 - niceness, so that it never looks negative.
	if prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, pid); err == nil && 20-prio >= nice {
		return nil
	}
	// An error here leaves the child at simvid's priority, which is slower for neighbours but
	// not wrong; it cannot be EPERM (niceness only goes up) and ESRCH means it already ended.
	_ = syscall.Setpriority(syscall.PRIO_PGRP, pid, nice)
	return nil
}

// Run is cmd.Run with Start's niceness.
func Run(cmd *exec.Cmd, nice int) error {
	if err := Start(cmd, nice); err != nil {
		return err
	}
	return cmd.Wait()
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
