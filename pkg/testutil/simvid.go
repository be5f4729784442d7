package testutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	simvidOnce sync.Once
	simvidBin  string
	simvidErr  error
)

// SimvidBinary builds the simvid binary of this module once per test binary and returns its
// path; the suites that start the real process (e2e, faults, security) share it.
func SimvidBinary(t testing.TB) string {
	t.Helper()
	simvidOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		root, err := ModuleRoot(ctx)
		if err != nil {
			simvidErr = err
			return
		}
		dir, err := os.MkdirTemp("", "simvid-test-bin-")
		if err != nil {
			simvidErr = err
			return
		}
		simvidBin, simvidErr = BuildBinary(ctx, root, filepath.Join(dir, "simvid"), os.Stderr)
	})
	if simvidErr != nil {
		t.Fatalf("build simvid: %v", simvidErr)
	}
	return simvidBin
}

// ModuleRoot returns the directory of the go.mod of the module being tested, from
// `go env GOMOD`.
func ModuleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("testutil: go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("testutil: not inside a Go module")
	}
	return filepath.Dir(mod), nil
}

// BuildBinary builds the simvid binary of the module at root into out (relative to root
// unless absolute) and returns its absolute path. Build output goes to log.
func BuildBinary(ctx context.Context, root, out string, log io.Writer) (string, error) {
	if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, ".")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("testutil: go build %s: %w", out, err)
	}
	return out, nil
}
