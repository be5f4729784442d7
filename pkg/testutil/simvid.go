package testutil

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/bench"
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
		root, err := bench.ModuleRoot(ctx)
		if err != nil {
			simvidErr = err
			return
		}
		dir, err := os.MkdirTemp("", "simvid-test-bin-")
		if err != nil {
			simvidErr = err
			return
		}
		simvidBin, simvidErr = bench.BuildBinary(ctx, root, filepath.Join(dir, "simvid"), os.Stderr)
	})
	if simvidErr != nil {
		t.Fatalf("build simvid: %v", simvidErr)
	}
	return simvidBin
}
