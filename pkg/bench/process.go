package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// FreeAddr returns a loopback address "127.0.0.1:PORT" whose port was free a moment ago.
// Another process may take it before the caller binds it; tests accept that small race.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("bench: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// Process is a child process started in its own process group, so that stopping it also
// stops whatever it started (ffmpeg, workers). It is killed when the process that started it
// dies (a test binary killed at its timeout runs no cleanup), so no simvid outlives its test.
type Process struct {
	Cmd  *exec.Cmd
	done chan struct{}
	err  error // set before done closes
}

// StartProcess starts bin with args; env is added to the current environment; stdout and
// stderr go to out (discarded when nil).
func StartProcess(bin string, args, env []string, out io.Writer) (*Process, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start %s: %w", bin, err)
	}
	p := &Process{Cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Pid returns the process id.
func (p *Process) Pid() int { return p.Cmd.Process.Pid }

// Done is closed once the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err returns how the process ended (nil for exit status 0); only meaningful after Done.
func (p *Process) Err() error {
	select {
	case <-p.done:
		return p.err
	default:
		return nil
	}
}

// Stop sends SIGTERM to the process group, waits up to grace for the process to exit, then
// kills the whole group. It returns the process's exit error, nil after a clean exit.
func (p *Process) Stop(grace time.Duration) error {
	pgid := p.Cmd.Process.Pid
	select {
	case <-p.done:
	default:
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(grace):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-p.done
			return fmt.Errorf("bench: %s did not stop within %s after SIGTERM; killed", p.Cmd.Path, grace)
		}
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL) // leftovers of the group, if any
	return p.err
}

// WaitReady polls base+"/readyz" every 100 ms until it answers 200. It gives up when ctx
// ends or, when p is not nil, when the process exits first.
func WaitReady(ctx context.Context, base string, p *Process) error {
	client := &http.Client{Timeout: 2 * time.Second}
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	var last string
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
		if err != nil {
			return fmt.Errorf("bench: readyz: %w", err)
		}
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
		} else {
			last = err.Error()
		}
		var exited <-chan struct{}
		if p != nil {
			exited = p.Done()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("bench: %s/readyz not ready (last answer: %s): %w", base, last, ctx.Err())
		case <-exited:
			return fmt.Errorf("bench: server exited before it was ready: %v", p.Err())
		case <-t.C:
		}
	}
}

// Server is a running `simvid all` on a loopback port.
type Server struct {
	*Process
	URL        string // http://127.0.0.1:PORT
	MetricsURL string // http://127.0.0.1:PORT/metrics
	DataDir    string
}

// StartAll starts `bin all` on a free loopback port with dataDir as its data directory, the
// metrics listener on another free port, warn-level logs to out and extra flags appended, then
// waits for /readyz (at most ready). On failure the process is stopped.
func StartAll(ctx context.Context, bin, dataDir string, out io.Writer, ready time.Duration, extra ...string) (*Server, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	maddr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	args := append([]string{"all", "--addr", addr, "--data-dir", dataDir,
		"--metrics-addr", maddr, "--log-level", "warn"}, extra...)
	p, err := StartProcess(bin, args, nil, out)
	if err != nil {
		return nil, err
	}
	s := &Server{Process: p, URL: "http://" + addr, MetricsURL: "http://" + maddr + "/metrics", DataDir: dataDir}
	rctx, cancel := context.WithTimeout(ctx, ready)
	defer cancel()
	if err := WaitReady(rctx, s.URL, p); err != nil {
		_ = p.Stop(5 * time.Second)
		return nil, err
	}
	return s, nil
}
